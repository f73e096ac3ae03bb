import Foundation

/// The figures `llvm-profdata show` prints about an indexed profile.
public struct ProfileSummary: Equatable, Sendable {
    public var functions: Int?
    public var totalCount: Int?
    public var maxCount: Int?
    public var level: PGOMode?
    /// From `--topn`: the functions with the largest internal block counts.
    public var hottest: [HotFunction] = []

    public static func parse(_ text: String) -> ProfileSummary {
        var summary = ProfileSummary()
        for line in text.split(separator: "\n") {
            // "  symtab_lookup, max count = 55290851"
            if let range = line.range(of: ", max count = "), let count = Int(line[range.upperBound...].trimmingCharacters(in: .whitespaces)) {
                summary.hottest.append(HotFunction(name: line[..<range.lowerBound].trimmingCharacters(in: .whitespaces), maxCount: count))
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let number = Int(parts[1].split(separator: " ").first ?? "")
            switch parts[0] {
            case "Total functions": summary.functions = number
            case "Total count": summary.totalCount = number
            case "Maximum function count": summary.maxCount = number
            case "Instrumentation level":
                summary.level = parts[1].hasPrefix("IR") ? .ir : parts[1].hasPrefix("Front") ? .frontend : nil
            default: break
            }
        }
        return summary
    }

    /// The functions `llvm-profdata show --covered` lists (one name per line, a static
    /// function as `file;name`): the ones the training executed.
    public static func coveredFunctions(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.contains(" ") }
    }

    package init(functions: Int? = nil, totalCount: Int? = nil, maxCount: Int? = nil, level: PGOMode? = nil, hottest: [HotFunction] = []) {
        self.functions = functions
        self.totalCount = totalCount
        self.maxCount = maxCount
        self.level = level
        self.hottest = hottest
    }
}
