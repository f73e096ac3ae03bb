import Foundation

/// The functions whose code is mostly dispatch: branch sites that jump to many places in the
/// same function (a `switch` jump table, computed gotos). BOLT's block reordering tends to slow
/// them down (CPython skips `_PyEval_EvalFrameDefault` by hand, gh-128472); found here from the
/// profile instead of a hand-written list.
public enum DispatchFunctions {
    /// A site with at least this many distinct targets in its own function is an indirect branch.
    static let minimumTargets = 4
    /// A function qualifies with at least this share of all indirect-branch executions...
    static let minimumShare = 0.05
    /// ...and at most this many functions are skipped, the busiest first.
    static let maximumFunctions = 5

    /// Function names (as BOLT spells them in the profile), busiest first.
    public static func find(fdata text: String) -> [String] {
        struct Site: Hashable { var function: Substring; var offset: Substring }
        var targets: [Site: Set<Substring>] = [:]
        var counts: [Site: Int] = [:]
        for line in text.split(separator: "\n") {
            // "1 FROM OFFSET 1 TO OFFSET MISPREDICTS COUNT"
            let fields = line.split(separator: " ")
            guard fields.count == 8, fields[0] == "1", fields[3] == "1", fields[1] == fields[4], let count = Int(fields[7]) else { continue }
            let site = Site(function: fields[1], offset: fields[2])
            targets[site, default: []].insert(fields[5])
            counts[site, default: 0] += count
        }
        var perFunction: [Substring: Int] = [:]
        for (site, destinations) in targets where destinations.count >= minimumTargets {
            perFunction[site.function, default: 0] += counts[site] ?? 0
        }
        let total = perFunction.values.reduce(0, +)
        guard total > 0 else { return [] }
        return perFunction.filter { Double($0.value) >= minimumShare * Double(total) }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .prefix(maximumFunctions).map { String($0.key) }
    }
}
