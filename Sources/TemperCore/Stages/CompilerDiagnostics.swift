import Foundation

/// Counts the compiler's profile diagnostics in a build log. These are only warnings, so a
/// profile that silently failed to apply shows up nowhere else.
public enum CompilerDiagnostics {
    /// Report key, and the text clang prints for it.
    public static let patterns: [(key: String, text: String)] = [
        ("missing_functions", "no profile data available for function"),
        ("hash_mismatch", "hash mismatch"),
        ("out_of_date", "profile data may be out of date"),
        ("unprofiled_files", "no profile data available for file"),
        ("incomplete", "profile data may be incomplete"),
        ("corrupt", "profile data may be corrupt"),
    ]

    public static func count(inLog path: String) -> [String: Int] {
        count(in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    public static func count(in text: String) -> [String: Int] {
        byFile(in: text).values.reduce(into: Dictionary(uniqueKeysWithValues: patterns.map { ($0.key, 0) })) { total, counts in
            total.merge(counts, uniquingKeysWith: +)
        }
    }

    /// Counts per source file, so a user can tell warnings in shipped code from warnings in
    /// build-time helpers (code generators that never ran during training).
    public static func byFile(in text: String) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for line in text.split(separator: "\n") where line.contains("warning: ") {
            for (key, pattern) in patterns where line.contains(pattern) {
                result[file(of: line), default: [:]][key, default: 0] += 1
            }
        }
        return result
    }

    /// "warning: a.c: ..." or "a.c:3:1: warning: ..." name the file before the warning text.
    static func file(of line: Substring) -> String {
        let afterWarning = line.range(of: "warning: ").map { line[$0.upperBound...] } ?? line
        if line.hasPrefix("warning: "), let colon = afterWarning.firstIndex(of: ":") {
            return String(afterWarning[..<colon])
        }
        return line.split(separator: ":").first.map(String.init) ?? "?"
    }

    public static func summary(_ counts: [String: Int]) -> String? {
        let parts = patterns.compactMap { pattern -> String? in
            guard let value = counts[pattern.key], value > 0 else { return nil }
            return "\(pattern.key.replacingOccurrences(of: "_", with: " ")): \(value)"
        }
        return parts.isEmpty ? "profile applied with no warnings" : "profile warnings: " + parts.joined(separator: ", ")
    }
}
