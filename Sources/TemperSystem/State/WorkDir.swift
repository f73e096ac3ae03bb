import TemperModel
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

    public func stageDirectory(_ stage: StageID) -> String { root + "/stages/" + stage.rawValue }
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

    /// Copies a tree to a destination inside the work dir, replacing what is there, with the
    /// files' modification times kept: an installed tree is judged by them (CPython's byte-code
    /// is valid only for its source's mtime; make compares them). Symlinks are copied as links.
    public func copyTree(_ source: String, to destination: String) throws {
        try remove(destination)
        try makeDirectory(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
        let manager = FileManager.default
        try manager.copyItem(atPath: source, toPath: destination)
        guard let enumerator = manager.enumerator(atPath: source) else { return }
        while let relative = enumerator.nextObject() as? String {
            guard let attributes = try? manager.attributesOfItem(atPath: source + "/" + relative),
                attributes[.type] as? FileAttributeType != .typeSymbolicLink,
                let modified = attributes[.modificationDate] as? Date
            else { continue }
            try manager.setAttributes([.modificationDate: modified], ofItemAtPath: destination + "/" + relative)
        }
    }

    /// Whether this directory is a temper work dir: its state file says so. A `lock` alone (or
    /// any other file) proves nothing, so `clean` and `--fresh` never touch such a directory.
    /// The decision (`temper tune`) the last run applied, if any.
    public var decisionFile: String { root + "/decision.json" }

    /// The one rule for "this directory is temper's" (clean, --fresh, the source digest's
    /// exclusions all ask it): its state.json is a regular file (not a symlink), of a sane size,
    /// that decodes as temper's state with temper's marker (or, from a temper before the marker,
    /// decodes as that state whole). A file that merely has the name is someone else's.
    public var isTemperWorkDir: Bool { Self.holdsTemperState(root) }

    public static func holdsTemperState(_ directory: String) -> Bool {
        let path = directory + "/state.json"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? Int, size < 64 << 20,
            let data = RegularFile.contents(path, limit: 64 << 20),
            let state = try? JSONDecoder().decode(PipelineState.self, from: data)
        else { return false }
        return state.kind == nil || state.kind == PipelineState.marker
    }

    /// Refuses, before anything is created, a work dir that would put the user's files at
    /// risk: an existing directory that is neither empty nor a temper work dir, a path that is
    /// a file or a symlink, or one that contains (or is) the source tree or the current directory.
    public func checkUsable(source: String) throws {
        let manager = FileManager.default
        let source = URL(fileURLWithPath: source).standardizedFileURL.resolvingSymlinksInPath().path
        let cwd = URL(fileURLWithPath: manager.currentDirectoryPath).standardizedFileURL.resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        for (path, what) in [(source, "the source tree"), (cwd, "the current directory")] where path == resolved || path.hasPrefix(resolved + "/") {
            throw WorkDirError.unsafe(root: root, reason: "it is or contains \(what) (\(path)); temper deletes and rewrites its work dir. Pass another --workdir, or fix the profile's name")
        }
        guard let attributes = try? manager.attributesOfItem(atPath: root) else { return }
        guard attributes[.type] as? FileAttributeType == .typeDirectory else {
            throw WorkDirError.unsafe(root: root, reason: "it exists and is not a directory (symlinks are not followed)")
        }
        if isTemperWorkDir { return }
        let entries = (try? manager.contentsOfDirectory(atPath: root)) ?? []
        // An empty lock file is what an older temper left when it refused bad input after locking.
        let leftovers = entries.filter { $0 != "lock" || ((try? manager.attributesOfItem(atPath: root + "/lock")[.size] as? Int) ?? 1) != 0 }
        if !leftovers.isEmpty {
            throw WorkDirError.unsafe(root: root, reason: "it already holds files (\(leftovers.sorted().prefix(3).joined(separator: ", "))\(leftovers.count > 3 ? ", ..." : "")) and no state.json that temper wrote, so it is not a temper work dir and temper will not touch it. Pass an empty or new --workdir")
        }
    }
}

public enum WorkDirError: Error, CustomStringConvertible, Equatable {
    case outside(path: String, root: String)
    case busy(root: String, holder: String)
    case notAWorkDir(root: String)
    case noDefault(base: String, candidates: [String])
    case cannotLock(root: String, reason: String)
    case unsafe(root: String, reason: String)

    public var description: String {
        switch self {
        case .outside(let path, let root):
            return "refusing to modify \(path): it is outside the work dir \(root) or reached through a symlink."
        case .busy(let root, let holder):
            return "another temper run (\(holder)) is using the work dir \(root). Wait for it to finish, or pass a different --workdir."
        case .notAWorkDir(let root):
            return "\(root) is not a temper work dir (it has no state.json that temper wrote), so temper leaves it alone. Check --workdir."
        case .noDefault(let base, let candidates):
            return candidates.isEmpty
                ? "no work dir under \(base); pass --workdir DIR."
                : "several work dirs under \(base) (\(candidates.joined(separator: ", "))); pass --workdir DIR."
        case .cannotLock(let root, let reason):
            return "cannot lock the work dir \(root): \(reason)"
        case .unsafe(let root, let reason):
            return "refusing to use \(root) as the work dir: \(reason)."

        }
    }
}


extension WorkDirError: ExitCoded {
    public var exitStatus: Int32 {
        if case .busy = self { return ExitStatus.workDirBusy }
        return ExitStatus.badInput
    }
}
