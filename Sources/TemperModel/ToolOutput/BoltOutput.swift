import Foundation

/// What llvm-bolt says about its work: dyno-stats before and after, and the functions it
/// could not process (which it names only under -v=1, and still exits 0).
public struct BoltOutput: Equatable, Sendable {
    public var before: [String: Int] = [:]
    public var after: [String: Int] = [:]
    public var failedFunctions: [String] = []

    public static func parse(_ text: String) -> BoltOutput {
        var output = BoltOutput()
        var blocks: [[String: Int]] = []
        var current: [String: Int] = [:]
        var inStats = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.contains("program-wide dynostats") {
                inStats = true
                continue
            }
            if let range = line.range(of: "failed to post-process indirect branches for ") {
                var function = String(line[range.upperBound...])
                if let star = function.range(of: "(*") { function = String(function[..<star.lowerBound]) }
                output.failedFunctions.append(function)
                continue
            }
            guard inStats else { continue }
            // "81091658 : executed forward branches" or "... : taken branches (-59.6%)"
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[0].trimmingCharacters(in: .whitespaces)) {
                var key = parts[1].trimmingCharacters(in: .whitespaces)
                if let paren = key.range(of: " (") { key = String(key[..<paren.lowerBound]) }
                current[key.replacingOccurrences(of: " ", with: "_")] = value
            } else if line.isEmpty, !current.isEmpty {
                blocks.append(current)
                current = [:]
                if blocks.count == 2 { inStats = false }
            } else if !line.isEmpty {
                if !current.isEmpty { blocks.append(current) }
                current = [:]
                inStats = false
            }
        }
        if !current.isEmpty { blocks.append(current) }
        output.before = blocks.first ?? [:]
        output.after = blocks.count > 1 ? blocks[1] : [:]
        return output
    }

    /// How BOLT matched the profile to the binary: functions with a non-empty profile, with a
    /// stale (invalid) one, and with one inferred by `-infer-stale-profile`.
    public static func matching(_ text: String) -> (profiled: Int?, stale: Int?, inferred: Int?) {
        var profiled: Int?, stale: Int?, inferred: Int?
        func firstNumber(_ text: Substring) -> Int? {
            text.split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) }
        }
        for line in text.split(separator: "\n") where line.hasPrefix("BOLT-") {
            let body = line.drop { $0 != ":" }.dropFirst()
            if line.contains("functions in the binary"), line.contains("have non-empty execution profile") {
                profiled = firstNumber(body)
            } else if let range = line.range(of: "inferred profile for ") {
                inferred = firstNumber(line[range.upperBound...])
            } else if line.contains("(possibly stale)") || line.contains("stale profile") && line.contains("functions") {
                stale = stale ?? firstNumber(body)
            }
        }
        return (profiled, stale, inferred)
    }

    /// Sample counts per function from an fdata profile ("1 src off 1 dst off mispreds count").
    public static func hotness(fdata text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 8, let count = Int(fields[fields.count - 1]) else { continue }
            result[String(fields[1]), default: 0] += count
        }
        return result
    }

    package init(before: [String: Int] = [:], after: [String: Int] = [:], failedFunctions: [String] = []) {
        self.before = before
        self.after = after
        self.failedFunctions = failedFunctions
    }
}
