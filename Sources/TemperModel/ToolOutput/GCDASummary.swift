import Foundation

/// Figures from `gcov-dump -l`: functions executed (with a non-zero arc count) and recorded,
/// the sum and maximum of arc counts.
public struct GCDASummary: Equatable, Sendable {
    public var functions = 0
    public var totalCount = 0
    public var maxCount = 0
    public var recorded = 0

    public init(functions: Int = 0, totalCount: Int = 0, maxCount: Int = 0, recorded: Int = 0) {
        self.functions = functions
        self.totalCount = totalCount
        self.maxCount = maxCount
        self.recorded = recorded
    }

    public mutating func add(_ other: GCDASummary) {
        functions += other.functions
        recorded += other.recorded
        totalCount += other.totalCount
        maxCount = max(maxCount, other.maxCount)
    }

    public static func parse(_ text: String) -> GCDASummary {
        var summary = GCDASummary()
        var inArcs = false
        var functionExecuted = false
        for line in text.split(separator: "\n") {
            if line.contains(":FUNCTION ") {
                summary.recorded += 1
                inArcs = false
                functionExecuted = false
            } else if line.contains(":COUNTERS ") {
                inArcs = line.contains("COUNTERS arcs")
            } else if inArcs, let colon = line.lastIndex(of: ":") {
                // "file.gcda:    0: 604572 21 21 ..." -- the counts after the index.
                let values = line[line.index(after: colon)...].split(separator: " ").compactMap { Int($0) }
                if !functionExecuted, values.contains(where: { $0 > 0 }) {
                    functionExecuted = true
                    summary.functions += 1
                }
                summary.totalCount += values.reduce(0, +)
                summary.maxCount = max(summary.maxCount, values.max() ?? 0)
            }
        }
        return summary
    }
}
