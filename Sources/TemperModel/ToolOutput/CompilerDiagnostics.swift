import Foundation

/// Counts the compiler's profile diagnostics in a build log. These are only warnings, so a
/// profile that silently failed to apply shows up nowhere else.
public enum CompilerDiagnostics {
    /// Report key, and the texts clang and GCC print for it.
    public static let patterns: [(key: String, texts: [String])] = [
        ("missing_functions", ["no profile data available for function", "not found in profile data"]),
        ("hash_mismatch", ["hash mismatch", "does not match its profile data", "coverage mismatch"]),
        ("out_of_date", ["profile data may be out of date"]),
        ("unprofiled_files", ["no profile data available for file", "profile count data file not found"]),
        ("incomplete", ["profile data may be incomplete"]),
        ("corrupt", ["profile data may be corrupt", "corrupted profile info"]),
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
        for line in text.split(separator: "\n") where line.contains("warning: ") || line.contains("error: ") {
            for (key, texts) in patterns where texts.contains(where: line.contains) {
                result[file(of: line), default: [:]][key, default: 0] += 1
            }
        }
        return result
    }

    /// The functions clang found no profile data for, by source file ("no profile data
    /// available for function NAME Hash = ..."), so the report can tell which of them are in
    /// the artifacts at all.
    public static func missingFunctions(in text: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        let marker = "no profile data available for function "
        for line in text.split(separator: "\n") where line.contains("warning: ") {
            guard let range = line.range(of: marker) else { continue }
            let name = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            if !name.isEmpty { result[file(of: line), default: []].append(name) }
        }
        return result
    }

    /// "warning: a.c: ..." or "a.c:3:1: warning: ..." name the file before the warning text.
    static func file(of line: Substring) -> String {
        let afterWarning = line.range(of: "warning: ").map { line[$0.upperBound...] } ?? line
        if line.hasPrefix("warning: ") || line.hasPrefix("error: "), let colon = afterWarning.firstIndex(of: ":") {
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
