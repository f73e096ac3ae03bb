import Foundation

/// The layout of a work dir, and the only place temper deletes or overwrites files: every such
/// path must lie inside the root, reached without passing through a symlink.
public struct WorkDir: Sendable, Equatable {
    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// `.temper/NAME` under the current directory, the default.
    public static func defaultRoot(profileName: String) -> String {
        FileManager.default.currentDirectoryPath + "/.temper/" + profileName
    }

    public var stateFile: String { root + "/state.json" }
    public var reportFile: String { root + "/report.json" }
    public var lockFile: String { root + "/lock" }
    public var ledgerFile: String { root + "/processes.json" }
    public var logs: String { root + "/logs" }
    public var out: String { root + "/out" }
    public var cache: String { root + "/cache" }

    public func stageDirectory(_ stage: String) -> String { root + "/stages/" + stage }
    public func log(_ name: String) -> String { logs + "/" + name + ".log" }

    public func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    public func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root + "/" + relative
    }

    /// Whether `path` lies strictly inside the root with no symlink on the way (the last
    /// component may itself be a symlink: removing it removes the link, not its target).
    public func contains(_ path: String) -> Bool {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        guard standardized.hasPrefix(root + "/") else { return false }
        var current = root
        let components = standardized.dropFirst(root.count + 1).split(separator: "/")
        for component in components.dropLast() {
            current += "/" + component
            if let type = try? FileManager.default.attributesOfItem(atPath: current)[.type] as? FileAttributeType,
                type == .typeSymbolicLink
            {
                return false
            }
        }
        return true
    }

    /// Removes a file or tree inside the work dir. Symlinks inside are removed, never followed.
    public func remove(_ path: String) throws {
        guard contains(path) else { throw WorkDirError.outside(path: path, root: root) }
        guard (try? FileManager.default.attributesOfItem(atPath: path)) != nil else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// A new, empty directory inside the work dir (whatever was there is removed).
    public func freshDirectory(_ path: String) throws {
        try remove(path)
        try makeDirectory(path)
    }

    /// Empties a directory inside the work dir except for the named entries (creating it if missing).
    public func emptyDirectory(_ path: String, keeping kept: Set<String>) throws {
        try makeDirectory(path)
        for entry in try FileManager.default.contentsOfDirectory(atPath: path) where !kept.contains(entry) {
            try remove(path + "/" + entry)
        }
    }

    public func makeDirectory(_ path: String) throws {
        guard contains(path) || path == root else { throw WorkDirError.outside(path: path, root: root) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Copies a file to a destination inside the work dir, replacing what is there.
    public func copy(_ source: String, to destination: String) throws {
        try remove(destination)
        try makeDirectory(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }

    /// Whether this directory looks like a temper work dir (so `clean` may delete it).
    public var isTemperWorkDir: Bool {
        FileManager.default.fileExists(atPath: stateFile) || FileManager.default.fileExists(atPath: lockFile)
    }
}

public enum WorkDirError: Error, CustomStringConvertible, Equatable {
    case outside(path: String, root: String)
    case busy(root: String, holder: String)
    case notAWorkDir(root: String)
    case noDefault(base: String, candidates: [String])
    case cannotLock(root: String, reason: String)

    public var description: String {
        switch self {
        case .outside(let path, let root):
            return "refusing to modify \(path): it is outside the work dir \(root) or reached through a symlink."
        case .busy(let root, let holder):
            return "another temper run (\(holder)) is using the work dir \(root). Wait for it to finish, or pass a different --workdir."
        case .notAWorkDir(let root):
            return "\(root) is not a temper work dir (it has no state.json). Check --workdir."
        case .noDefault(let base, let candidates):
            return candidates.isEmpty
                ? "no work dir under \(base); pass --workdir DIR."
                : "several work dirs under \(base) (\(candidates.joined(separator: ", "))); pass --workdir DIR."
        case .cannotLock(let root, let reason):
            return "cannot lock the work dir \(root): \(reason)"
        }
    }
}
