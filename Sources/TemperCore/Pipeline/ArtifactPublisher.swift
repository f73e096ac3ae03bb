import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// Keeps `out/` a faithful view of this run: each artifact comes from the best producer the
/// graph names (bolt-optimize, when it is part of this pipeline and current, else optimize)
/// whose record holds for the current inputs; baseline artifacts go to `out/baseline/`; and
/// an artifact no current record vouches for is removed rather than left stale.
public enum ArtifactPublisher {
    public struct Published: Sendable, Equatable {
        public var name: String
        public var path: String
        public var stage: String
        public var bytes: Int
        public var sha256: String
    }

    /// Publishes from `current` (the records that hold for this run, see `StageGraph.currentRecords`).
    public static func publish(
        names: [String], graph: StageGraph, current: [StageID: StageRecord], workDir: WorkDir, digests: DigestCache = DigestCache(path: nil)
    ) throws -> (optimized: [Published], baseline: [Published]) {
        func place(_ sources: [StageID], in directory: String) throws -> [Published] {
            var published: [Published] = []
            for name in names {
                let destination = directory + "/" + name
                let source = sources.lazy.compactMap { stage -> (StageID, String)? in
                    guard let record = current[stage], let path = record.output(.artifact(name)) else { return nil }
                    return (stage, workDir.absolute(path))
                }.first
                guard let (stage, path) = source, workDir.contains(path), let digest = digests.sha256(of: path) else {
                    try workDir.remove(destination)
                    continue
                }
                if digests.sha256(of: destination) != digest {
                    try workDir.copy(path, to: destination)
                }
                let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
                published.append(Published(name: name, path: destination, stage: stage.rawValue, bytes: bytes, sha256: digest))
            }
            return published
        }
        let optimized = try place(graph.optimizedProducers, in: workDir.out)
        let baseline = try place([graph.baselineProducer].compactMap { $0 }, in: workDir.out + "/baseline")
        try placeInstall(graph: graph, current: current, workDir: workDir, digests: digests)
        return (optimized, baseline)
    }

    /// `out/install` (and `out/install.tar.gz`, `out/install-debug.tar.gz`): a copy of the current install stage's tree,
    /// refreshed only when its manifest changed; removed when no current install holds.
    static func placeInstall(graph: StageGraph, current: [StageID: StageRecord], workDir: WorkDir, digests: DigestCache) throws {
        let destination = workDir.out + "/install"
        let tarballs: [(OutputName, String)] = [(.installTarball, workDir.out + "/install.tar.gz"), (.installDebugTarball, workDir.out + "/install-debug.tar.gz")]
        let marker = workDir.out + "/.install-manifest"
        guard let stage = graph.installProducer, let record = current[stage], let tree = record.output(.installTree) else {
            for path in [destination, marker] + tarballs.map(\.1) { try workDir.remove(path) }
            return
        }
        let manifest = record.output(.installManifest).flatMap { record.outputs[$0] } ?? ""
        if (try? String(contentsOfFile: marker, encoding: .utf8)) != manifest || !FileManager.default.fileExists(atPath: destination) {
            try workDir.copyTree(workDir.absolute(tree), to: destination)
            try AtomicFile.write(Data(manifest.utf8), to: marker, durable: false)
        }
        for (name, tarball) in tarballs {
            if let source = record.output(name) {
                if digests.sha256(of: tarball) != digests.sha256(of: workDir.absolute(source)) { try workDir.copy(workDir.absolute(source), to: tarball) }
            } else {
                try workDir.remove(tarball)
            }
        }
    }
}
