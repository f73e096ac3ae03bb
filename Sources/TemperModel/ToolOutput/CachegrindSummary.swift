import Foundation

/// cachegrind's simulated figures for one run (`--cache-sim=yes --branch-sim=yes`): executed
/// instructions, first-level and last-level instruction-cache misses, branch mispredictions.
/// Deterministic for a single-threaded program; layout optimizations show up here, not in
/// instruction counts.
public struct CachegrindSummary: Codable, Sendable, Equatable {
    public var instructions: Int
    public var i1Misses: Int
    public var lliMisses: Int
    public var branchMispredicts: Int

    enum CodingKeys: String, CodingKey {
        case instructions
        case i1Misses = "i1_misses"
        case lliMisses = "lli_misses"
        case branchMispredicts = "branch_mispredicts"
    }

    public init(instructions: Int, i1Misses: Int, lliMisses: Int, branchMispredicts: Int) {
        self.instructions = instructions
        self.i1Misses = i1Misses
        self.lliMisses = lliMisses
        self.branchMispredicts = branchMispredicts
    }

    /// Reads valgrind's summary lines ("==PID== I1  misses:  1,091"); nil when one is missing.
    public static func parse(_ text: String) -> CachegrindSummary? {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("=="), let close = line.range(of: "== ", range: line.index(line.startIndex, offsetBy: 2)..<line.endIndex) else { continue }
            let body = line[close.upperBound...]
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon].split(separator: " ").joined(separator: " ")
            // The total is the first number after the colon ("25,620  (25,341 cond + 279 ind)").
            let rest = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let first = rest.prefix { $0.isNumber || $0 == "," }.replacingOccurrences(of: ",", with: "")
            guard let number = Int(first) else { continue }
            values[key] = number
        }
        guard let instructions = values["I refs"], let i1 = values["I1 misses"], let lli = values["LLi misses"], let mispredicts = values["Mispredicts"] else {
            return nil
        }
        return CachegrindSummary(instructions: instructions, i1Misses: i1, lliMisses: lli, branchMispredicts: mispredicts)
    }
}
