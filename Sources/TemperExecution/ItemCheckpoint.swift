import TemperModel
import TemperSystem
/// Per-item checkpoints inside one stage (one train task = one item). The executor hands a
/// stage the items that already finished under the same fingerprint with intact files.
public struct ItemCheckpoint: Sendable {
    let store: StateStore?
    let stage: StageID
    let workDir: WorkDir
    /// Items finished earlier, with their output files (absolute paths), already verified.
    public let done: [String: [String]]

    public init(store: StateStore?, stage: StageID, workDir: WorkDir, done: [String: [String]]) {
        self.store = store
        self.stage = stage
        self.workDir = workDir
        self.done = done
    }

    /// Records one finished item and its files, durably, before the stage moves on.
    public func record(_ item: String, files: [String]) async throws {
        var digests: [String: String] = [:]
        for file in files {
            digests[workDir.relative(file)] = FileDigest.sha256(of: file) ?? ""
        }
        try await store?.update(stage) { record in
            record?.items?.done[item] = digests
        }
    }
}
