import TemperModel
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// `statCache`: a file in the work dir that remembers each file's size, modification and
    /// change times, inode and SHA-256, as git's index does: a file whose stat is unchanged is
    /// not read again (a rerun with nothing changed hashes nothing). Files changed in the last
    /// two seconds are not remembered, so a change within one timestamp tick is never missed.
    public static func compute(root: String, excluding excluded: [String] = [], patterns: [String] = [], statCache: String? = nil) throws -> String {
        try snapshot(root: root, excluding: excluded, patterns: patterns, statCache: statCache).digest
    }

    /// The digest with the listing it was computed from: each file's SHA-256 (a symlink as
    /// `symlink:TARGET`), which a profile bundle records so a later build can name what changed.
    public static func snapshot(root: String, excluding excluded: [String] = [], patterns: [String] = [], statCache: String? = nil) throws -> SourceSnapshot {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceDigestError.missing(root)
        }
        var files: [(String, FileStat)] = []
        var stack = [""]
        while let relative = stack.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for entry in try manager.contentsOfDirectory(atPath: absolute) where !isExcluded(entry, patterns: patterns) {
                let child = relative.isEmpty ? entry : relative + "/" + entry
                let childPath = root + "/" + child
                if excluded.contains(childPath) { continue }
                guard let stat = FileStat(path: childPath) else { continue }
                if stat.isDirectory {
                    // Another temper work dir (a run started inside the source tree) is never
                    // source content: counting it would rebuild every work dir of this source.
                    if WorkDir.holdsTemperState(childPath) { continue }
                    stack.append(child)
                } else {
                    files.append((child, stat))
                }
            }
        }
        let cached = statCache.flatMap(StatCache.load) ?? [:]
        var remembered: [String: StatCache.Entry] = [:]
        let now = Date().timeIntervalSince1970
        var hasher = SHA256()
        var listing: [String: String] = [:]
        for (file, stat) in files.sorted(by: { $0.0 < $1.0 }) {
            let path = root + "/" + file
            hasher.update(data: Data(file.utf8 + [0]))
            if stat.isSymlink {
                let target = (try? manager.destinationOfSymbolicLink(atPath: path)) ?? ""
                hasher.update(data: Data(("symlink:" + target).utf8 + [0]))
                listing[file] = "symlink:" + target
                continue
            }
            // Only a regular file's content is read; any other kind counts by its kind alone.
            if !stat.isRegular {
                let kind = "special:" + (stat.special ?? "other")
                hasher.update(data: Data(kind.utf8 + [0]))
                listing[file] = kind
                continue
            }
            let digest: String
            if let entry = cached[file], entry.matches(stat) {
                digest = entry.sha256
            } else {
                digest = FileDigest.sha256(of: path) ?? "unreadable"
            }
            hasher.update(data: Data(digest.utf8 + [0]))
            listing[file] = digest
            if digest != "unreadable", !stat.changedSince(now - 2) {
                remembered[file] = StatCache.Entry(stat, sha256: digest)
            }
        }
        if let statCache, remembered != cached {
            StatCache.save(remembered, to: statCache)
        }
        return SourceSnapshot(digest: hasher.finalize().hex, files: listing)
    }
}

/// A source tree's digest and the per-file digests it was computed from.
public struct SourceSnapshot: Codable, Sendable, Equatable {
    public var digest: String
    public var files: [String: String]

    /// What changed from `old` to this tree: file names, sorted.
    public func changes(since old: [String: String]) -> (changed: [String], added: [String], removed: [String]) {
        let changed = files.filter { old[$0.key] != nil && old[$0.key] != $0.value }.keys.sorted()
        let added = files.keys.filter { old[$0] == nil }.sorted()
        let removed = old.keys.filter { files[$0] == nil }.sorted()
        return (changed, added, removed)
    }
}

/// What `lstat` says about a file: enough to tell that it did not change.
struct FileStat: Equatable {
    var isDirectory: Bool
    var isSymlink: Bool
    /// A regular file: the only kind whose content is read (a FIFO would block the read
    /// forever, a device would never end).
    var isRegular: Bool
    /// "fifo", "socket", "character device", "block device" for the other kinds.
    var special: String?
    var size: Int64
    var modified: Int64
    var changed: Int64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        isDirectory = type == S_IFDIR
        isSymlink = type == S_IFLNK
        isRegular = type == S_IFREG
        special = [(S_IFIFO, "fifo"), (S_IFSOCK, "socket"), (S_IFCHR, "character device"), (S_IFBLK, "block device")].first { $0.0 == type }?.1
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        inode = UInt64(info.st_ino)
    }

    /// Whether the file's content may have changed at or after `time` (seconds): its
    /// modification time, as git's racy check uses (a touched inode alone changes `changed`,
    /// which the cache still compares for equality).
    func changedSince(_ time: Double) -> Bool {
        modified >= Int64(time * 1_000_000_000)
    }
}

/// The stat cache of a source tree, as versioned JSON (one entry per file).
enum StatCache {
    static let version = 1

    struct Entry: Codable, Equatable {
        var size: Int64
        var modified: Int64
        var changed: Int64
        var inode: UInt64
        var sha256: String

        init(_ stat: FileStat, sha256: String) {
            size = stat.size
            modified = stat.modified
            changed = stat.changed
            inode = stat.inode
            self.sha256 = sha256
        }

        func matches(_ stat: FileStat) -> Bool {
            size == stat.size && modified == stat.modified && changed == stat.changed && inode == stat.inode
        }
    }

    struct File: Codable {
        var version: Int
        var entries: [String: Entry]
    }

    static func load(_ path: String) -> [String: Entry]? {
        guard let data = FileManager.default.contents(atPath: path),
            let file = try? JSONDecoder().decode(File.self, from: data), file.version == version
        else { return nil }
        return file.entries
    }

    /// Best effort: a cache that cannot be written only costs the next run some hashing.
    static func save(_ entries: [String: Entry], to path: String) {
        guard let data = try? JSONEncoder().encode(File(version: version, entries: entries)) else { return }
        try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: path, durable: false)
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


extension SourceDigestError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
