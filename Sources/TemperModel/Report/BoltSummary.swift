/// One artifact's BOLT result, in report.json's `bolt.artifacts`.
public struct BoltArtifactReport: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int

        package init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    public var name: String
    public var flags: [String]
    public var dynoStats: [String: [String: Int]]
    public var failedFunctions: Int
    public var hottestFailed: [Function]
    public var verified: Bool
    public var bytesBefore: Int
    public var bytesAfter: Int
    /// Whether llvm-bolt matched a stale profile (`-infer-stale-profile`, a bundle's YAML).
    public var inferStaleProfile: Bool?
    /// How llvm-bolt matched the profile to the functions (its own figures, when it printed them).
    public var functionsWithProfile: Int?
    public var functionsStale: Int?
    public var functionsInferred: Int?

    enum CodingKeys: String, CodingKey {
        case name, flags, verified
        case dynoStats = "dyno_stats"
        case failedFunctions = "failed_functions"
        case hottestFailed = "hottest_failed"
        case bytesBefore = "bytes_before"
        case bytesAfter = "bytes_after"
        case inferStaleProfile = "infer_stale_profile"
        case functionsWithProfile = "functions_with_profile"
        case functionsStale = "functions_stale"
        case functionsInferred = "functions_inferred"
    }

    package init(
        name: String, flags: [String], dynoStats: [String: [String: Int]], failedFunctions: Int, hottestFailed: [Function], verified: Bool, bytesBefore: Int, bytesAfter: Int,
        inferStaleProfile: Bool? = nil, functionsWithProfile: Int? = nil, functionsStale: Int? = nil, functionsInferred: Int? = nil
    ) {
        self.inferStaleProfile = inferStaleProfile
        self.functionsWithProfile = functionsWithProfile
        self.functionsStale = functionsStale
        self.functionsInferred = functionsInferred
        self.name = name
        self.flags = flags
        self.dynoStats = dynoStats
        self.failedFunctions = failedFunctions
        self.hottestFailed = hottestFailed
        self.verified = verified
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
    }
}

/// bolt-optimize's account, stored with the stage and copied into report.json's `bolt`.
public struct BoltSummary: Codable, Sendable, Equatable {
    /// Wall time of the verify command, median of interleaved runs, before and after BOLT.
    /// Informational: wall time drifts on shared machines, so nothing is gated on it.
    public struct Timing: Codable, Sendable, Equatable {
        public var runs: Int
        public var preBolt: Double
        public var bolted: Double

        enum CodingKeys: String, CodingKey {
            case runs
            case preBolt = "pre_bolt"
            case bolted
        }

        package init(runs: Int, preBolt: Double, bolted: Double) {
            self.runs = runs
            self.preBolt = preBolt
            self.bolted = bolted
        }
    }

    public typealias Ratio = RatioInterval

    /// One BOLT candidate as built, verified and measured.
    public struct Candidate: Codable, Sendable, Equatable {
        public var name: String
        public var flags: [String]
        public var verified: Bool
        /// Why it was dropped (llvm-bolt failed, or verification), when it was.
        public var failure: String?
        public var medianSeconds: Double?
        public var ratio: Ratio?
        public var instructions: Int?
        /// Taken branches after BOLT, summed over the artifacts (dyno-stats).
        public var takenBranches: Int?
        public var bytes: Int?
        /// The candidate's per-artifact account (dyno-stats, functions BOLT could not process).
        public var artifacts: [BoltArtifactReport]
        /// What a hardening checker sees in each of its artifacts, by artifact name.
        public var hardening: [String: Hardening]?

        enum CodingKeys: String, CodingKey {
            case name, flags, verified, failure, ratio, instructions, bytes, artifacts, hardening
            case medianSeconds = "median_seconds"
            case takenBranches = "taken_branches"
        }

        package init(name: String, flags: [String], verified: Bool, failure: String? = nil, medianSeconds: Double? = nil, ratio: Ratio? = nil, instructions: Int? = nil, takenBranches: Int? = nil, bytes: Int? = nil, artifacts: [BoltArtifactReport], hardening: [String: Hardening]? = nil) {
            self.hardening = hardening
            self.name = name
            self.flags = flags
            self.verified = verified
            self.failure = failure
            self.medianSeconds = medianSeconds
            self.ratio = ratio
            self.instructions = instructions
            self.takenBranches = takenBranches
            self.bytes = bytes
            self.artifacts = artifacts
        }
    }

    /// How the published build was chosen.
    public struct Selection: Codable, Sendable, Equatable {
        /// "bench" (the profile's [bench] command) or "verify".
        public var workload: String
        public var command: String
        public var rounds: Int
        public var select: String
        public var preBolt: Candidate
        public var candidates: [Candidate]
        /// The candidate whose artifacts are in `out/`, or null when the PGO+LTO build stays.
        public var published: String?
        public var reason: String
        /// Executed instructions are counted on the verify command (callgrind is slow).
        public var instructionsWorkload: String?

        enum CodingKeys: String, CodingKey {
            case workload, command, rounds, select, candidates, published, reason
            case preBolt = "pre_bolt"
            case instructionsWorkload = "instructions_workload"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(workload, forKey: .workload)
            try container.encode(command, forKey: .command)
            try container.encode(rounds, forKey: .rounds)
            try container.encode(select, forKey: .select)
            try container.encode(preBolt, forKey: .preBolt)
            try container.encode(candidates, forKey: .candidates)
            // Explicitly null when BOLT was not kept: scripts can test the key.
            try container.encode(published, forKey: .published)
            try container.encode(reason, forKey: .reason)
            try container.encodeIfPresent(instructionsWorkload, forKey: .instructionsWorkload)
        }

        package init(workload: String, command: String, rounds: Int, select: String, preBolt: Candidate, candidates: [Candidate], published: String? = nil, reason: String, instructionsWorkload: String? = nil) {
            self.workload = workload
            self.command = command
            self.rounds = rounds
            self.select = select
            self.preBolt = preBolt
            self.candidates = candidates
            self.published = published
            self.reason = reason
            self.instructionsWorkload = instructionsWorkload
        }
    }

    /// The published candidate's artifacts (or, when BOLT was not kept, the default candidate's).
    public var artifacts: [BoltArtifactReport]
    /// Median seconds of the selection workload, pre-BOLT and for the candidate in `artifacts`.
    public var verifySeconds: Timing?
    public var selection: Selection?

    public init(artifacts: [BoltArtifactReport], verifySeconds: Timing?, selection: Selection? = nil) {
        self.artifacts = artifacts
        self.verifySeconds = verifySeconds
        self.selection = selection
    }

    enum CodingKeys: String, CodingKey {
        case artifacts, selection
        case verifySeconds = "verify_seconds"
    }
}
