import Foundation

/// `perf stat -x,` figures for one run: hardware counters, where the machine exposes them
/// (cycles, instructions, L1 i-cache misses, iTLB misses, branch misses). A counter the machine
/// lacks is absent, never zero.
public struct PerfStatSummary: Codable, Sendable, Equatable {
    public var counters: [String: Int]

    public init(counters: [String: Int]) {
        self.counters = counters
    }

    /// The events tune asks for.
    public static let events = ["cycles", "instructions", "L1-icache-load-misses", "iTLB-load-misses", "branch-misses"]

    /// Reads `perf stat -x,` lines ("VALUE,UNIT,EVENT,..."); `<not supported>` and
    /// `<not counted>` values are left out. Nil when no counter was read.
    public static func parse(_ text: String) -> PerfStatSummary? {
        var counters: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, let value = Int(fields[0]) else { continue }
            // "cpu_core/cycles/" on hybrid CPUs, "cycles:u" with a modifier: the event's own name.
            var event = fields[2]
            if let slash = event.split(separator: "/").dropFirst().first { event = String(slash) }
            if let colon = event.firstIndex(of: ":") { event = String(event[..<colon]) }
            counters[event, default: 0] += value
        }
        return counters.isEmpty ? nil : PerfStatSummary(counters: counters)
    }
}
