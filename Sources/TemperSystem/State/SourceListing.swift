import TemperModel
import Foundation

/// The per-file listing behind each source digest a run computed, kept in the work dir under
/// the digest's name (`cache/sources/DIGEST.json`): content-addressed, so a listing can never
/// describe other sources than the digest a stage's record names.
public enum SourceListing {
    static func path(_ digest: String, in workDir: WorkDir) -> String { workDir.cache + "/sources/" + digest + ".json" }

    public static func save(_ snapshot: SourceSnapshot, in workDir: WorkDir) throws {
        let file = path(snapshot.digest, in: workDir)
        guard !FileManager.default.fileExists(atPath: file) else { return }
        try workDir.makeDirectory(workDir.cache + "/sources")
        try AtomicFile.write(try JSONEncoder.temper.encode(snapshot), to: file, durable: false)
    }

    /// Removes the listings no record refers to any more (each is ~0.5 MB for CPython's tree).
    public static func prune(keeping digests: Set<String>, in workDir: WorkDir) {
        let directory = workDir.cache + "/sources"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasSuffix(".json") {
            if !digests.contains(String(entry.dropLast(".json".count))) {
                try? workDir.remove(directory + "/" + entry)
            }
        }
    }

    public static func load(_ digest: String, in workDir: WorkDir) -> SourceSnapshot? {
        guard digest.count == 64, digest.allSatisfy(\.isHexDigit),
            let data = FileManager.default.contents(atPath: path(digest, in: workDir)),
            let snapshot = try? JSONDecoder().decode(SourceSnapshot.self, from: data), snapshot.digest == digest
        else { return nil }
        return snapshot
    }
}
