import Foundation

/// Keeps `out/` a faithful view of the state after every run: each artifact comes from the
/// last completed stage that produced it (bolt-optimize, when BOLT ran and was verified, else
/// optimize), baseline artifacts go to `out/baseline/`, and nothing stale is left behind.
public enum ArtifactPublisher {
    /// The key under which a stage names the artifact it produced, in `StageRecord.named`.
    public static func key(_ name: String) -> String { "artifact:" + name }

    public struct Published: Sendable, Equatable {
        public var name: String
        public var path: String
        public var stage: String
        public var bytes: Int
        public var sha256: String
    }

    /// Stages in order of precedence for `out/`.
    static let optimizedSources = ["bolt-optimize", BuildVariant.optimize.rawValue]

    public static func publish(names: [String], state: PipelineState, workDir: WorkDir) throws -> (optimized: [Published], baseline: [Published]) {
        func place(_ sources: [String], in directory: String) throws -> [Published] {
            var published: [Published] = []
            for name in names {
                let destination = directory + "/" + name
                let source = sources.lazy.compactMap { stage -> (String, String)? in
                    guard let record = state.stages[stage], record.status == .completed, let path = record.named[key(name)] else { return nil }
                    return (stage, workDir.absolute(path))
                }.first
                guard let (stage, path) = source, FileManager.default.fileExists(atPath: path) else {
                    try workDir.remove(destination)
                    continue
                }
                guard let digest = FileDigest.sha256(of: path) else { continue }
                if FileDigest.sha256(of: destination) != digest {
                    try workDir.copy(path, to: destination)
                }
                let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
                published.append(Published(name: name, path: destination, stage: stage, bytes: bytes, sha256: digest))
            }
            return published
        }
        return (try place(optimizedSources, in: workDir.out), try place([BuildVariant.baseline.rawValue], in: workDir.out + "/baseline"))
    }
}
