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
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return count(in: text)
    }

    public static func count(in text: String) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: patterns.map { ($0.key, 0) })
        for line in text.split(separator: "\n") where line.contains("warning") {
            for (key, pattern) in patterns where line.contains(pattern) {
                counts[key, default: 0] += 1
            }
        }
        return counts
    }

    public static func summary(_ counts: [String: Int]) -> String? {
        let parts = patterns.compactMap { pattern -> String? in
            guard let value = counts[pattern.key], value > 0 else { return nil }
            return "\(pattern.key.replacingOccurrences(of: "_", with: " ")): \(value)"
        }
        return parts.isEmpty ? "profile applied with no warnings" : "profile warnings: " + parts.joined(separator: ", ")
    }
}
