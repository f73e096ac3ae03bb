/// What `temper tune` found: report.json-style JSON (`tune.json`, and `--json`), a documented
/// contract (docs/tuning.md). Fields are only ever added.
public struct TuneResult: Codable, Sendable, Equatable {
    /// A deterministic measure taken twice: the two counts, and whether they differ.
    public struct Counted: Codable, Sendable, Equatable {
        public var first: CachegrindSummary
        public var second: CachegrindSummary
        /// The two runs counted differently by more than `noiseThreshold` in some figure (a
        /// multithreaded workload, or one that reads the clock): the figures are noisy, and no
        /// decision rests on them.
        public var noisy: Bool
        /// The largest relative difference between the two counts, over the four figures, when
        /// they differ at all (SQLite's speedtest1 differs by about 2e-7: not noisy).
        public var spread: Double?

        /// Differences up to this share are rounding of the workload's own, not noise.
        public static let noiseThreshold = 0.001

        public init(first: CachegrindSummary, second: CachegrindSummary) {
            self.first = first
            self.second = second
            func relative(_ a: Int, _ b: Int) -> Double { a == b ? 0 : Double(abs(a - b)) / Double(max(min(a, b), 1)) }
            let largest = [
                relative(first.instructions, second.instructions), relative(first.i1Misses, second.i1Misses),
                relative(first.lliMisses, second.lliMisses), relative(first.branchMispredicts, second.branchMispredicts),
            ].max() ?? 0
            spread = largest > 0 ? largest : nil
            noisy = largest > Self.noiseThreshold
        }
    }

    /// One workload's figures for a variant, when the tune times several.
    public struct WorkloadResult: Codable, Sendable, Equatable {
        public var name: String
        public var medianSeconds: Double?
        public var samples: [Double]
        public var ratio: RatioInterval?

        enum CodingKeys: String, CodingKey {
            case name, samples, ratio
            case medianSeconds = "median_seconds"
        }

        public init(name: String, medianSeconds: Double?, samples: [Double], ratio: RatioInterval?) {
            self.name = name
            self.medianSeconds = medianSeconds
            self.samples = samples
            self.ratio = ratio
        }
    }

    public struct Variant: Codable, Sendable, Equatable {
        public var name: String
        /// The overrides, as people read them ("bolt=default pie=false").
        public var overrides: String
        public var settings: TuneOverrides
        /// The BOLT flags applied, exactly (skip-dispatch's function list resolved).
        public var boltFlags: [String]?
        /// Built and verified (a BOLT candidate that failed verification is not measured).
        public var built: Bool
        public var failure: String?
        public var medianSeconds: Double?
        public var samples: [Double]
        /// Against the reference: the ratio of medians with its 95% bootstrap interval.
        public var ratio: RatioInterval?
        public var verdict: RatioInterval.Verdict?
        public var counters: Counted? {
            didSet {
                instructions = counters?.first.instructions
                i1Misses = counters?.first.i1Misses
                lliMisses = counters?.first.lliMisses
                branchMispredicts = counters?.first.branchMispredicts
            }
        }
        /// The first count's figures, for readers that want one number per variant (see
        /// `counters` for both counts and whether they agree).
        public var instructions: Int?
        public var i1Misses: Int?
        public var lliMisses: Int?
        public var branchMispredicts: Int?
        /// Binary sizes of the artifacts, summed.
        public var bytes: Int?
        /// Per workload, when the tune times more than one (`ratio` is then their geometric mean).
        public var workloads: [WorkloadResult]?
        /// Hardware counters of one run of the first workload (`perf stat`), where the machine has them.
        public var hardware: PerfStatSummary?

        enum CodingKeys: String, CodingKey {
            case name, overrides, settings, built, failure, samples, ratio, verdict, counters, bytes, instructions, workloads, hardware
            case boltFlags = "bolt_flags"
            case medianSeconds = "median_seconds"
            case i1Misses = "i1_misses"
            case lliMisses = "lli_misses"
            case branchMispredicts = "branch_mispredicts"
        }

        public init(name: String, overrides: String, settings: TuneOverrides, boltFlags: [String]?, built: Bool, failure: String? = nil) {
            self.name = name
            self.overrides = overrides
            self.settings = settings
            self.boltFlags = boltFlags
            self.built = built
            self.failure = failure
            samples = []
        }
    }

    /// The A/A row: the reference against an identical copy of itself. Its interval shows the
    /// noise floor; when it excludes 1.0 the comparison itself is unreliable here.
    public struct Calibration: Codable, Sendable, Equatable {
        public var value: Double
        public var low: Double
        public var high: Double
        public var falseAlarm: Bool

        enum CodingKeys: String, CodingKey {
            case value, low, high
            case falseAlarm = "false_alarm"
        }

        public init(_ ratio: RatioInterval) {
            value = ratio.value
            low = ratio.low
            high = ratio.high
            falseAlarm = ratio.verdict != .undecided
        }
    }

    public struct Decision: Codable, Sendable, Equatable {
        public var variant: String
        public var reason: String
        /// The decision file written for `temper run --decision`.
        public var file: String
        /// The training the decision was made on, with the decision inside: `temper run
        /// --profile-bundle` on another machine applies both (clang builds).
        public var bundle: String?

        public init(variant: String, reason: String, file: String) {
            self.variant = variant
            self.reason = reason
            self.file = file
        }
    }

    public var profile: String
    public var workload: String
    public var reference: String
    public var variants: [Variant]
    public var aa: Calibration?
    public var rounds: Int
    public var budgetSeconds: Double
    public var measuringSeconds: Double
    public var buildSeconds: Double
    /// Every comparison was decided before the budget ran out.
    public var decided: Bool
    /// Hardware counters (`perf stat`): what was measured, or why nothing was.
    public var hardwareCounters: String
    public var decision: Decision
    public var machine: TuneDecision.Machine
    /// What cachegrind counted: "verify" or "bench".
    public var countersWorkload: String?
    /// The whole tune, builds and counts included; above `budget_seconds` when the builds alone
    /// took longer (the minimum rounds are measured regardless).
    public var totalSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case profile, workload, reference, variants, aa, rounds, decided, decision, machine
        case countersWorkload = "counters_workload"
        case totalSeconds = "total_seconds"
        case budgetSeconds = "budget_seconds"
        case measuringSeconds = "measuring_seconds"
        case buildSeconds = "build_seconds"
        case hardwareCounters = "hardware_counters"
    }

    public init(
        profile: String, workload: String, reference: String, variants: [Variant], aa: Calibration?, rounds: Int, budgetSeconds: Double,
        measuringSeconds: Double, buildSeconds: Double, decided: Bool, hardwareCounters: String, decision: Decision, machine: TuneDecision.Machine
    ) {
        self.profile = profile
        self.workload = workload
        self.reference = reference
        self.variants = variants
        self.aa = aa
        self.rounds = rounds
        self.budgetSeconds = budgetSeconds
        self.measuringSeconds = measuringSeconds
        self.buildSeconds = buildSeconds
        self.decided = decided
        self.hardwareCounters = hardwareCounters
        self.decision = decision
        self.machine = machine
    }
}

/// A pinned decision: the configuration `temper tune` chose and its evidence. `temper run
/// --decision FILE` applies it exactly and measures nothing, so the same inputs publish the
/// same bytes on every machine. Versioned JSON.
public struct TuneDecision: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public static let kind = "temper-decision"

    public struct Machine: Codable, Sendable, Equatable {
        public var host: String
        public var cpu: String
        public var kernel: String
        public var toolchain: String

        public init(host: String, cpu: String, kernel: String, toolchain: String) {
            self.host = host
            self.cpu = cpu
            self.kernel = kernel
            self.toolchain = toolchain
        }
    }

    public var version: Int
    public var kind: String
    public var profile: String
    public var variant: String
    public var settings: TuneOverrides
    /// The exact llvm-bolt flags of the chosen candidate; nil: no BOLT.
    public var boltFlags: [String]?
    public var reason: String
    public var created: String
    public var machine: Machine
    /// The evidence: rounds measured, the chosen variant's ratio and counters, the A/A row.
    public var rounds: Int
    public var ratio: RatioInterval?
    public var counters: TuneResult.Counted?
    public var aa: TuneResult.Calibration?

    enum CodingKeys: String, CodingKey {
        case version, kind, profile, variant, settings, reason, created, machine, rounds, ratio, counters, aa
        case boltFlags = "bolt_flags"
    }

    public init(
        profile: String, variant: String, settings: TuneOverrides, boltFlags: [String]?, reason: String, created: String, machine: Machine,
        rounds: Int, ratio: RatioInterval?, counters: TuneResult.Counted?, aa: TuneResult.Calibration?
    ) {
        version = Self.currentVersion
        kind = Self.kind
        self.profile = profile
        self.variant = variant
        self.settings = settings
        self.boltFlags = boltFlags
        self.reason = reason
        self.created = created
        self.machine = machine
        self.rounds = rounds
        self.ratio = ratio
        self.counters = counters
        self.aa = aa
    }
}
