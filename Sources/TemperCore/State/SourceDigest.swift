import Crypto
import Foundation

/// The content of a source tree as one SHA-256: relative paths, file bytes and symlink targets,
/// in sorted order. Version-control metadata, bytecode caches (a build-tree CPython writes
/// `__pycache__` into its source `Lib/` whenever it runs), the work dir (if it sits inside) and
/// the profile's `[source] exclude` names are skipped.
public enum SourceDigest {
    static let skipped: Set<String> = [".git", ".hg", ".svn", "__pycache__"]
    static let skippedSuffixes = [".pyc", ".pyo"]

    /// Whether a file or directory name is excluded: an exact name, or `*.ext` for a suffix.
    static func isExcluded(_ name: String, patterns: [String]) -> Bool {
        if skipped.contains(name) || skippedSuffixes.contains(where: name.hasSuffix) { return true }
        return patterns.contains { $0.hasPrefix("*") ? name.hasSuffix(String($0.dropFirst())) : $0 == name }
    }

    public static func compute(root: String, excluding excluded: [String] = [], patterns: [String] = []) throws -> String {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceDigestError.missing(root)
        }
        var files: [String] = []
        var stack = [""]
        while let relative = stack.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for entry in try manager.contentsOfDirectory(atPath: absolute) where !isExcluded(entry, patterns: patterns) {
                let child = relative.isEmpty ? entry : relative + "/" + entry
                let childPath = root + "/" + child
                if excluded.contains(childPath) { continue }
                let attributes = try manager.attributesOfItem(atPath: childPath)
                if attributes[.type] as? FileAttributeType == .typeDirectory {
                    stack.append(child)
                } else {
                    files.append(child)
                }
            }
        }
        var hasher = SHA256()
        for file in files.sorted() {
            let path = root + "/" + file
            hasher.update(data: Data(file.utf8 + [0]))
            if let target = try? manager.destinationOfSymbolicLink(atPath: path) {
                hasher.update(data: Data(("symlink:" + target).utf8 + [0]))
            } else {
                hasher.update(data: Data((FileDigest.sha256(of: path) ?? "unreadable").utf8 + [0]))
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

public enum SourceDigestError: Error, CustomStringConvertible, Equatable {
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "the source tree \(path) does not exist. Check `[source] path` in the profile (it is relative to the profile file), or fetch the sources first (e.g. `Scripts/fetch-source.sh sqlite3`)."
        }
    }
}
