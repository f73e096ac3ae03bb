/// `<workdir>/report.json`, written after every run, failed ones included. The field names
/// are a public contract (users' scripts read them): add fields, never rename or remove.
public struct RunReport: Codable, Sendable, Equatable {
    public struct ToolEntry: Codable, Sendable, Equatable {
        public var path: String
        public var version: String

        package init(path: String, version: String) {
            self.path = path
            self.version = version
        }
    }

    public struct StageEntry: Codable, Sendable, Equatable {
        public var name: String
        public var outcome: StageOutcome
        public var seconds: Double
        public var fingerprint: String?
        public var message: String?
        /// For a reused stage, the seconds of the execution it reuses.
        public var previousSeconds: Double?
        /// What the stage's last completed execution counted (train: `tasks`, `tasks_reused`,
        /// `tasks_failed`, `raw_profiles`; optimize: profile diagnostics), so scripts can check
        /// that a resumed run did only the unfinished work.
        public var counts: [String: Int]?

        enum CodingKeys: String, CodingKey {
            case name, outcome, seconds, fingerprint, message, counts
            case previousSeconds = "previous_seconds"
        }

        package init(name: String, outcome: StageOutcome, seconds: Double, fingerprint: String? = nil, message: String? = nil, previousSeconds: Double? = nil, counts: [String: Int]? = nil) {
            self.name = name
            self.outcome = outcome
            self.seconds = seconds
            self.fingerprint = fingerprint
            self.message = message
            self.previousSeconds = previousSeconds
            self.counts = counts
        }
    }

    public struct ProfileData: Codable, Sendable, Equatable {
        public var functions: Int?
        /// Functions with a non-zero count (`llvm-profdata show --covered`).
        public var functionsExecuted: Int?
        public var totalCount: Int?
        public var maxCount: Int?
        public var rawProfiles: Int?
        public var path: String?
        /// Counts of the compiler's profile diagnostics in the optimized build.
        public var warnings: [String: Int]
        /// The same counts per source file (build-time helpers show up here, apart).
        public var warningsByFile: [String: [String: Int]]?
        /// The 20 functions with the largest block counts (`llvm-profdata show --topn`).
        public var hottest: [HotFunction]?
        /// Functions without profile data, per file, and how many are in the artifacts.
        public var missingByFile: [MissingFunctions]?

        enum CodingKeys: String, CodingKey {
            case functions, path, warnings, hottest
            case missingByFile = "missing_functions_by_file"
            case warningsByFile = "warnings_by_file"
            case totalCount = "total_count"
            case maxCount = "max_count"
            case rawProfiles = "raw_profiles"
            case functionsExecuted = "functions_executed"
        }

        package init(functions: Int? = nil, functionsExecuted: Int? = nil, totalCount: Int? = nil, maxCount: Int? = nil, rawProfiles: Int? = nil, path: String? = nil, warnings: [String: Int], warningsByFile: [String: [String: Int]]? = nil, hottest: [HotFunction]? = nil) {
            self.functions = functions
            self.functionsExecuted = functionsExecuted
            self.totalCount = totalCount
            self.maxCount = maxCount
            self.rawProfiles = rawProfiles
            self.path = path
            self.warnings = warnings
            self.warningsByFile = warningsByFile
            self.hottest = hottest
        }
    }

    public struct Artifact: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var bytes: Int
        public var sha256: String
        /// The stage whose output this is: "optimize", "bolt-optimize" or "baseline".
        public var stage: String?
        /// What a hardening checker sees in it (ELF files only).
        public var hardening: Hardening?
        /// Against the plain build of the same profile (optimize, what ships without BOLT):
        /// "holds", "accepted" (a weaker property the profile accepts, in `hardeningNotes`) or
        /// "weaker" (never published by temper; kept for reports of foreign trees).
        public var hardeningParity: String?
        public var hardeningNotes: [String]?

        enum CodingKeys: String, CodingKey {
            case name, path, bytes, sha256, stage, hardening
            case hardeningParity = "hardening_parity"
            case hardeningNotes = "hardening_notes"
        }

        package init(name: String, path: String, bytes: Int, sha256: String, stage: String? = nil) {
            self.name = name
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
            self.stage = stage
        }
    }

    public var formatVersion = 1
    public var profile: String
    public var profileFile: String
    public var workdir: String
    /// "succeeded", "failed" or "interrupted".
    public var status: String
    public var error: String?
    public var toolchain: [String: ToolEntry]
    public var stages: [StageEntry]
    public var profileData: ProfileData?
    public var artifacts: [Artifact]
    public var baselineArtifacts: [Artifact]
    /// BOLT's results per artifact, when bolt-optimize completed.
    public var bolt: BoltSummary?
    /// The last `temper bench` of exactly these builds.
    public var bench: BenchResult?
    /// With a profile bundle: how well its profile fits these sources and binaries.
    public var staleness: Staleness?
    /// Per build stage, the compile cache's hits and misses (with a ccache launcher).
    public var compileCache: [String: CompileCacheStats]?
    /// How the build was decided: "decision file PATH (variant NAME)" when `--decision` pinned
    /// it; absent when the run's own BOLT selection decided.
    public var decidedBy: String?
    /// After an edit: whether the last training was applied to the edited sources or retrained.
    public var training: String?

    enum CodingKeys: String, CodingKey {
        case profile, workdir, status, error, toolchain, stages, artifacts, bolt, bench, staleness
        case compileCache = "compile_cache"
        case decidedBy = "decided_by"
        case training
        case formatVersion = "format_version"
        case profileFile = "profile_file"
        case profileData = "profile_data"
        case baselineArtifacts = "baseline_artifacts"
    }

    package init(profile: String, profileFile: String, workdir: String, status: String, error: String? = nil, toolchain: [String: ToolEntry], stages: [StageEntry], profileData: ProfileData? = nil, artifacts: [Artifact], baselineArtifacts: [Artifact], bolt: BoltSummary? = nil, bench: BenchResult? = nil, staleness: Staleness? = nil, compileCache: [String: CompileCacheStats]? = nil) {
        self.profile = profile
        self.profileFile = profileFile
        self.workdir = workdir
        self.status = status
        self.error = error
        self.toolchain = toolchain
        self.stages = stages
        self.profileData = profileData
        self.artifacts = artifacts
        self.baselineArtifacts = baselineArtifacts
        self.bolt = bolt
        self.bench = bench
        self.staleness = staleness
        self.compileCache = compileCache
    }
}
