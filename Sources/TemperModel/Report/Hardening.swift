/// What a hardened distribution checks in a binary (checksec, hardening-check, lintian):
/// position independence, RELRO and immediate binding, a present and non-executable
/// PT_GNU_STACK, a build-id, the stack protector, FORTIFY_SOURCE and CET (IBT, shadow stack).
/// In report.json per artifact (`hardening`). The later fields are optional so that reports
/// written before them still read.
public struct Hardening: Codable, Sendable, Equatable {
    /// "pie", "shared object" (both position-independent) or "no".
    public var pie: String
    /// "full", "partial" or "none".
    public var relro: String
    public var bindNow: Bool
    /// "non-executable", "executable" or "missing" (a loader then assumes executable).
    public var gnuStack: String
    public var buildID: Bool
    /// Calls `__stack_chk_fail` (compiled with a stack protector).
    public var stackProtector: Bool?
    /// How many checked libc functions (`__*_chk`) it imports; 0: not fortified.
    public var fortify: Int?
    /// CET: indirect branch tracking and shadow stack marked in `.note.gnu.property`.
    public var ibt: Bool?
    public var shstk: Bool?

    enum CodingKeys: String, CodingKey {
        case pie, relro, fortify, ibt, shstk
        case bindNow = "bind_now"
        case gnuStack = "gnu_stack"
        case buildID = "build_id"
        case stackProtector = "stack_protector"
    }

    public init(
        pie: String, relro: String, bindNow: Bool, gnuStack: String, buildID: Bool, stackProtector: Bool? = nil, fortify: Int? = nil, ibt: Bool? = nil,
        shstk: Bool? = nil
    ) {
        self.pie = pie
        self.relro = relro
        self.bindNow = bindNow
        self.gnuStack = gnuStack
        self.buildID = buildID
        self.stackProtector = stackProtector
        self.fortify = fortify
        self.ibt = ibt
        self.shstk = shstk
    }

    /// The protections `self` lacks that `reference` has, for people ("PT_GNU_STACK missing").
    /// PIE is compared only when `comparePIE` (a profile may accept a non-PIE BOLT result).
    public func lost(against reference: Hardening, comparePIE: Bool = true) -> [String] {
        var lost: [String] = []
        if comparePIE, reference.pie != "no", pie == "no" { lost.append("not position-independent (the reference is \(reference.pie))") }
        let rank = ["none": 0, "partial": 1, "full": 2]
        if (rank[relro] ?? 0) < (rank[reference.relro] ?? 0) { lost.append("RELRO \(relro) (the reference has \(reference.relro))") }
        if reference.gnuStack == "non-executable", gnuStack != "non-executable" { lost.append("PT_GNU_STACK \(gnuStack) (the reference has a non-executable one)") }
        if reference.buildID, !buildID { lost.append("no build-id") }
        if reference.stackProtector == true, stackProtector != true { lost.append("no stack protector (__stack_chk_fail)") }
        if (reference.fortify ?? 0) > 0, (fortify ?? 0) == 0 { lost.append("not fortified (no __*_chk functions; the reference has \(reference.fortify ?? 0))") }
        if reference.ibt == true, ibt != true { lost.append("CET IBT mark lost") }
        if reference.shstk == true, shstk != true { lost.append("CET shadow-stack mark lost") }
        return lost
    }

    /// Only the differences `lost` reports as losses, kept when explicitly accepted: non-PIE.
    public func accepted(against reference: Hardening) -> [String] {
        reference.pie != "no" && pie == "no" ? ["not position-independent, accepted by [bolt] accept_non_pie (the plain build is \(reference.pie))"] : []
    }
}
