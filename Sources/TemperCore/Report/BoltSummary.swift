/// One artifact's BOLT result, in report.json's `bolt.artifacts`.
public struct BoltArtifactReport: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    public var name: String
    public var flags: [String]
    public var dynoStats: [String: [String: Int]]
    public var failedFunctions: Int
    public var hottestFailed: [Function]
    public var verified: Bool
    public var bytesBefore: Int
    public var bytesAfter: Int

    enum CodingKeys: String, CodingKey {
        case name, flags, verified
        case dynoStats = "dyno_stats"
        case failedFunctions = "failed_functions"
        case hottestFailed = "hottest_failed"
        case bytesBefore = "bytes_before"
        case bytesAfter = "bytes_after"
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
    }

    public var artifacts: [BoltArtifactReport]
    public var verifySeconds: Timing?

    enum CodingKeys: String, CodingKey {
        case artifacts
        case verifySeconds = "verify_seconds"
    }
}
