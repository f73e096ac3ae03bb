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

    public static func load(_ digest: String, in workDir: WorkDir) -> SourceSnapshot? {
        guard digest.count == 64, digest.allSatisfy(\.isHexDigit),
            let data = FileManager.default.contents(atPath: path(digest, in: workDir)),
            let snapshot = try? JSONDecoder().decode(SourceSnapshot.self, from: data), snapshot.digest == digest
        else { return nil }
        return snapshot
    }
}
