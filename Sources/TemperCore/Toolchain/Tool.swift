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
}

/// Reads `X.Y.Z` after "version" or "LLD" in a tool's `--version` output. Works for clang,
/// llvm-profdata, llvm-ar, llvm-ranlib and ld.lld of LLVM 14 to 22, Debian and upstream builds.
public enum ToolVersion {
    public static func parse(_ output: String) -> (version: String, major: Int)? {
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
