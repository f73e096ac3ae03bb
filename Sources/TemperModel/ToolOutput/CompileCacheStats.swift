import Foundation

/// A build's compile cache results, from ccache's statistics log (`CCACHE_STATSLOG`: one
/// `# SOURCE` line per compiler call, then the counters that call updated). The global
/// `ccache -s` counters mix every build on the machine; the log is this build's alone.
public struct CompileCacheStats: Codable, Sendable, Equatable {
    public var hits = 0
    public var misses = 0
    /// Calls ccache passed through (linking, configure tests, unsupported options).
    public var uncacheable = 0
    /// Hits served by remote storage (Redis, a shared directory) rather than the local cache.
    public var remoteHits = 0

    public static let countKeys = ["compile_cache_hits", "compile_cache_misses", "compile_cache_uncacheable", "compile_cache_remote_hits"]

    public static func parse(_ text: String) -> CompileCacheStats {
        var stats = CompileCacheStats()
        var call: Set<Substring> = []
        func finish() {
            guard !call.isEmpty else { return }
            if call.contains("direct_cache_hit") || call.contains("preprocessed_cache_hit") {
                stats.hits += 1
                if call.contains("remote_storage_hit") && !call.contains("local_storage_hit") { stats.remoteHits += 1 }
            } else if call.contains("cache_miss") {
                stats.misses += 1
            } else {
                stats.uncacheable += 1
            }
            call = []
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") { finish() } else { call.insert(line.trimmingCharacters(in: .whitespaces)[...]) }
        }
        finish()
        return stats
    }

    public var counts: [String: Int] {
        ["compile_cache_hits": hits, "compile_cache_misses": misses, "compile_cache_uncacheable": uncacheable, "compile_cache_remote_hits": remoteHits]
    }

    public init(counts: [String: Int]) {
        hits = counts["compile_cache_hits"] ?? 0
        misses = counts["compile_cache_misses"] ?? 0
        uncacheable = counts["compile_cache_uncacheable"] ?? 0
        remoteHits = counts["compile_cache_remote_hits"] ?? 0
    }

    package init() {}

    /// Hits among the calls that could be cached, in percent.
    public var hitPercent: Double? { hits + misses == 0 ? nil : 100 * Double(hits) / Double(hits + misses) }

    enum CodingKeys: String, CodingKey {
        case hits, misses, uncacheable, remoteHits = "remote_hits"
    }
}
