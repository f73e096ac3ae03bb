import TemperModel
/// One tool of the toolchain, with the version it reports about itself.
public struct Tool: Sendable, Codable, Equatable, Hashable {
    public var role: String
    public var path: String
    public var version: String
    public var major: Int

    public init(role: String, path: String, version: String, major: Int) {
        self.role = role
        self.path = path
        self.version = version
        self.major = major
    }

    /// The file name, e.g. "clang" or "gcov-tool-12": the key of report.json's toolchain map.
    public var name: String { String(path.split(separator: "/").last ?? "") }
}

/// Reads `X.Y.Z` after "version" or "LLD" in a tool's `--version` output (clang, llvm-profdata,
/// llvm-ar, llvm-ranlib, ld.lld of LLVM 14 to 22, perf), or as the last word of the first line
/// for GNU tools ("gcc (Debian 12.2.0-14) 12.2.0", "GNU ld (GNU Binutils for Debian) 2.40").
public enum ToolVersion {
    public static func parse(_ output: String) -> (version: String, major: Int)? {
        afterKeyword(output) ?? lastWordOfFirstLine(output)
    }

    static func lastWordOfFirstLine(_ output: String) -> (version: String, major: Int)? {
        guard let first = output.split(separator: "\n").first, first.contains("("),
            let word = first.split(separator: " ").last
        else { return nil }
        let numbers = word.split(separator: ".")
        guard numbers.count >= 2, numbers.allSatisfy({ Int($0) != nil }), let major = Int(numbers[0]) else { return nil }
        return (String(word), major)
    }

    static func afterKeyword(_ output: String) -> (version: String, major: Int)? {
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        for (index, word) in words.enumerated() where index > 0 {
            let before = words[index - 1].lowercased()
            guard before == "version" || before == "lld" else { continue }
            let numbers = word.split(separator: ".")
            guard numbers.count >= 2, let major = Int(numbers[0]), numbers.allSatisfy({ Int($0) != nil }) else { continue }
            return (String(word), major)
        }
        return nil
    }
}
