/// `[tune]`: the matrix `temper tune` builds and measures. Named variants and axes (whose
/// product gives more variants); each variant is a set of overrides on the pipeline profile.
public struct TuneSettings: Sendable, Equatable {
    public var variants: [TuneVariant] = []
    /// The variant every other is compared with; default: the first.
    public var reference: String?
    /// How long a tune may measure (seconds), overridden by `--budget`.
    public var budget: Double?
    /// The workload cachegrind counts: "verify" (default: usually the shorter; cachegrind runs
    /// ~50x slower) or "bench".
    public var countersWorkload: SelectionWorkload = .verify
    /// `[[tune.workload]]`: the timed workloads (each a task with `name`, `run`, `cwd`, `env`);
    /// empty: the `[bench]` workload. Verdicts rest on their geometric mean.
    public var workloads: [TrainTask] = []
    /// Let the decision choose a variant without PIE when the reference is a PIE (BOLT's
    /// layout wins most there); without it, what ships is as hardened as the plain build.
    public var acceptNonPIE = false

    public init(variants: [TuneVariant] = [], reference: String? = nil, budget: Double? = nil) {
        self.variants = variants
        self.reference = reference
        self.budget = budget
    }

    /// Names temper uses for its own rows: a variant may not take them.
    public static let reservedNames: Set<String> = ["aa", "a-a", "pre-BOLT"]

    /// The matrix a profile without `[tune]` gets: the plain PGO+LTO build (PIE, the reference),
    /// the same without PIE (what BOLT needs), and each BOLT flag set temper knows on top of it.
    public static func defaultMatrix(extraBoltSets: [String]) -> TuneSettings {
        var variants = [
            TuneVariant(name: "pgo-lto", overrides: TuneOverrides(pie: true)),
            TuneVariant(name: "pgo-lto-nopie", overrides: TuneOverrides(pie: false)),
        ]
        for set in TuneOverrides.knownBoltSets + extraBoltSets {
            variants.append(TuneVariant(name: "bolt-" + set, overrides: TuneOverrides(bolt: set, pie: false)))
        }
        // BOLT on the PIE itself: weaker layout (BOLT skips jump-table functions there), but as
        // hardened as the plain build.
        variants.append(TuneVariant(name: "bolt-default-pie", overrides: TuneOverrides(bolt: "default", pie: true)))
        return TuneSettings(variants: variants, reference: "pgo-lto")
    }
}

/// One row of the matrix: a name and what it changes.
public struct TuneVariant: Sendable, Equatable, Codable {
    public var name: String
    public var overrides: TuneOverrides

    public init(name: String, overrides: TuneOverrides) {
        self.name = name
        self.overrides = overrides
    }
}

/// What a variant changes in the pipeline profile. Unset fields keep the profile's value.
public struct TuneOverrides: Sendable, Equatable, Hashable, Codable {
    /// The BOLT flag set applied on top of the build ("default", "skip-dispatch",
    /// "cpython-3.13", "python-build-standalone", or a `[bolt.candidates]` name); nil: no BOLT.
    public var bolt: String?
    /// Position-independent executable; nil: PIE unless BOLT is applied (a BOLT variant with
    /// `pie = true` is BOLTed as a PIE, `[bolt] pie = true`).
    public var pie: Bool?
    public var pgo: PGOMode?
    public var lto: LTOMode?
    /// Replaces `[build] cflags` (the optimisation level, e.g. ["-O3"]).
    public var cflags: [String]?
    public var compiler: CompilerFamily?

    public init(bolt: String? = nil, pie: Bool? = nil, pgo: PGOMode? = nil, lto: LTOMode? = nil, cflags: [String]? = nil, compiler: CompilerFamily? = nil) {
        self.bolt = bolt
        self.pie = pie
        self.pgo = pgo
        self.lto = lto
        self.cflags = cflags
        self.compiler = compiler
    }

    /// The flag sets temper ships: LLVM's default, the one that skips the dispatch functions,
    /// and the two published lists (CPython 3.13's `BOLT_APPLY_FLAGS`, python-build-standalone's).
    public static let knownBoltSets = ["default", "skip-dispatch", "cpython-3.13", "python-build-standalone"]

    /// Whether the build is position-independent: PIE unless asked otherwise or BOLTed.
    public var isPIE: Bool { pie ?? (bolt == nil) }

    /// The same overrides without BOLT and PIE: what decides the PGO+LTO build itself.
    public var build: TuneOverrides {
        TuneOverrides(pgo: pgo, lto: lto, cflags: cflags, compiler: compiler)
    }

    /// What decides the training (instrumented build and profile): a variant with the same
    /// key can build from another's profile.
    public var trainingKey: TuneOverrides {
        TuneOverrides(pgo: pgo, cflags: cflags, compiler: compiler)
    }

    /// What the build itself changes ("lto=full cflags=-O3"), or "the profile's build".
    public var buildSummary: String {
        var parts: [String] = []
        if let pgo { parts.append("pgo=\(pgo.rawValue)") }
        if let lto { parts.append("lto=\(lto.rawValue)") }
        if let cflags { parts.append("cflags=\(cflags.joined(separator: " "))") }
        if let compiler { parts.append("compiler=\(compiler.rawValue)") }
        return parts.isEmpty ? "the profile's build" : parts.joined(separator: " ")
    }

    /// A short description for people: "bolt=default pie=false lto=full".
    public var summary: String {
        var parts: [String] = []
        parts.append("bolt=\(bolt ?? "off")")
        parts.append("pie=\(isPIE)")
        if let pgo { parts.append("pgo=\(pgo.rawValue)") }
        if let lto { parts.append("lto=\(lto.rawValue)") }
        if let cflags { parts.append("cflags=\(cflags.joined(separator: " "))") }
        if let compiler { parts.append("compiler=\(compiler.rawValue)") }
        return parts.joined(separator: " ")
    }
}
