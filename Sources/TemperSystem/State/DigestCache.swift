import TemperModel
import Foundation

/// SHA-256 of files, remembered by their stat (size, modification and change time, inode) in a
/// file in the work dir, as git's index does: checking that a stage's outputs are intact costs
/// a `lstat` per file instead of reading hundreds of megabytes on every run. A file modified in
/// the last two seconds is hashed every time, so a change within one timestamp tick is seen.
public final class DigestCache: @unchecked Sendable {
    private let path: String?
    private let lock = NSLock()
    private var entries: [String: StatCache.Entry]
    private var changed = false

    /// `path` nil: no cache, every call hashes.
    public init(path: String?) {
        self.path = path
        entries = path.flatMap(StatCache.load) ?? [:]
    }

    public func sha256(of file: String) -> String? {
        guard let stat = FileStat(path: file), !stat.isDirectory else { return FileDigest.sha256(of: file) }
        if let entry = lock.withLock({ entries[file] }), entry.matches(stat) { return entry.sha256 }
        guard let digest = FileDigest.sha256(of: file) else { return nil }
        if !stat.changedSince(Date().timeIntervalSince1970 - 2) {
            lock.withLock {
                entries[file] = StatCache.Entry(stat, sha256: digest)
                changed = true
            }
        }
        return digest
    }

    /// Writes the cache if it learned something (best effort), keeping only files that exist.
    public func save() {
        guard let path else { return }
        let snapshot: [String: StatCache.Entry]? = lock.withLock {
            guard changed else { return nil }
            changed = false
            return entries.filter { FileManager.default.fileExists(atPath: $0.key) }
        }
        if let snapshot { StatCache.save(snapshot, to: path) }
    }
}
