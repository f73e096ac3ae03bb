/// `{name}` and `{artifact:NAME}` placeholders inside argv words. Only `{identifier}` or
/// `{identifier:value}` is a placeholder; other braces (`{}`, `{ x }`, awk scripts) stay literal.
public enum Placeholders {
    public static let buildNames: Set<String> = [
        "source", "build", "cc", "cxx", "cflags", "cxxflags", "ldflags", "ar", "ranlib", "jobs",
        // The compilers without the launcher, and the launcher as a CMake list (`;`-joined).
        "cc_path", "cxx_path", "launcher",
    ]
    public static let taskNames: Set<String> = ["source", "build"]
    public static let benchNames: Set<String> = ["source", "build"]
    public static let installNames: Set<String> = buildNames.union(["destdir"])

    struct Token {
        var range: Range<String.Index>
        var name: String
        var argument: String?
    }

    static func tokens(in word: String) -> [Token] {
        var result: [Token] = []
        var index = word.startIndex
        while let open = word[index...].firstIndex(of: "{") {
            guard let close = word[open...].firstIndex(of: "}") else { break }
            let inner = word[word.index(after: open)..<close]
            let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let isIdentifier = !name.isEmpty && name.allSatisfy { $0.isLetter || $0 == "_" }
            let argument = parts.count > 1 ? String(parts[1]) : nil
            if isIdentifier && argument?.contains("{") != true && argument?.isEmpty != true {
                result.append(Token(range: open..<word.index(after: close), name: name, argument: argument))
            }
            index = word.index(after: open)
        }
        return result
    }

    /// A message for the first placeholder that is not allowed here, or nil when all are.
    public static func problem(in word: String, allowed: Set<String>, artifacts: Set<String>) -> String? {
        for token in tokens(in: word) {
            if token.name == "artifact", let name = token.argument {
                if !allowed.contains("artifact") {
                    return "`{artifact:\(name)}` cannot be used here"
                }
                if !artifacts.contains(name) {
                    let known = artifacts.sorted().joined(separator: ", ")
                    return "`{artifact:\(name)}` names no artifact; [build] artifacts gives: \(known.isEmpty ? "none" : known)"
                }
            } else if token.argument != nil || !allowed.contains(token.name) {
                let known = allowed.subtracting(["artifact"]).sorted().map { "{\($0)}" }
                    + (allowed.contains("artifact") ? ["{artifact:NAME}"] : [])
                return "unknown placeholder `\(word[token.range])`; allowed here: \(known.joined(separator: ", "))"
            }
        }
        return nil
    }

    /// Replaces known placeholders; unknown ones are left as they are (`{jobs}` stays symbolic
    /// when a fingerprint is computed, so changing `--jobs` does not invalidate a build).
    public static func render(_ word: String, values: [String: String], artifacts: [String: String] = [:]) -> String {
        var result = ""
        var index = word.startIndex
        for token in tokens(in: word) where token.range.lowerBound >= index {
            let replacement: String?
            if token.name == "artifact", let name = token.argument {
                replacement = artifacts[name]
            } else {
                replacement = token.argument == nil ? values[token.name] : nil
            }
            guard let replacement else { continue }
            result += word[index..<token.range.lowerBound]
            result += replacement
            index = token.range.upperBound
        }
        return result + word[index...]
    }
}
