/// What a hardened distribution checks in a binary (checksec, hardening-check): position
/// independence, RELRO and immediate binding, a present and non-executable PT_GNU_STACK, a
/// build-id. In report.json per artifact (`hardening`).
public struct Hardening: Codable, Sendable, Equatable {
    /// "pie", "shared object" (both position-independent) or "no".
    public var pie: String
    /// "full", "partial" or "none".
    public var relro: String
    public var bindNow: Bool
    /// "non-executable", "executable" or "missing" (a loader then assumes executable).
    public var gnuStack: String
    public var buildID: Bool

    enum CodingKeys: String, CodingKey {
        case pie, relro
        case bindNow = "bind_now"
        case gnuStack = "gnu_stack"
        case buildID = "build_id"
    }

    public init(pie: String, relro: String, bindNow: Bool, gnuStack: String, buildID: Bool) {
        self.pie = pie
        self.relro = relro
        self.bindNow = bindNow
        self.gnuStack = gnuStack
        self.buildID = buildID
    }

    /// The protections `self` lacks that `reference` has, for people ("PT_GNU_STACK missing").
    /// PIE is compared only when `comparePIE` (a BOLT-ready build is non-PIE by design).
    public func lost(against reference: Hardening, comparePIE: Bool = true) -> [String] {
        var lost: [String] = []
        if comparePIE, reference.pie != "no", pie == "no" { lost.append("not position-independent (the reference is \(reference.pie))") }
        let rank = ["none": 0, "partial": 1, "full": 2]
        if (rank[relro] ?? 0) < (rank[reference.relro] ?? 0) { lost.append("RELRO \(relro) (the reference has \(reference.relro))") }
        if reference.gnuStack == "non-executable", gnuStack != "non-executable" { lost.append("PT_GNU_STACK \(gnuStack) (the reference has a non-executable one)") }
        if reference.buildID, !buildID { lost.append("no build-id") }
        return lost
    }
}
