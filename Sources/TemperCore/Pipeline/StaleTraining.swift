import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// An edit does not mean retraining. When only the sources changed since this work dir's last
/// training (same toolchain, same training commands: its stages would be reused as recorded
/// if the sources were the old ones), the run exports that training as a bundle into the work
/// dir's cache, once, and builds from it exactly as `--profile-bundle` would: optimize (and
/// BOLT, with stale matching) only, with the staleness report. `PipelineRun` retrains when too
/// little of it matches (`[train] retrain_below`), on `--retrain`, or when anything but the
/// sources changed.
enum StaleTraining {
    /// Whether to look at all: a plain `temper run` of a work dir temper made, not one that
    /// names stages, tasks, a bundle, a tune variant, or asks for a fresh start or a retraining.
    static func applies(_ prepared: PipelineRun.Prepared, options: PipelineRun.Options) -> Bool {
        !options.retrain && !options.fresh && prepared.bundle == nil && options.variant == nil && options.tasks == nil
            && options.from == nil && options.to == nil && prepared.workDir.isTemperWorkDir
    }

    /// The bundle of the last training to build from, and a note for the report; nil when the
    /// run should go as usual (nothing changed, or more than the sources did). Call it holding
    /// the work dir's lock.
    static func bundle(for prepared: PipelineRun.Prepared, holding lock: WorkDirLock, logger: Logger) async throws -> (path: String, note: String)? {
        let workDir = prepared.workDir
        let graph = prepared.graph
        guard let state = try? StateStore.load(path: workDir.stateFile),
            let trained = state.stages[graph.profileData.rawValue], trained.status == .completed,
            let old = trained.inputs?["source"], trained.inputs?["toolchain"] == prepared.toolchain.identity,
            let end = graph.stages.firstIndex(where: { $0.id == graph.profileData })
        else { return nil }
        let current = try SourceDigest.snapshot(
            root: prepared.profile.source, excluding: [workDir.root], patterns: prepared.profile.sourceExclude, statCache: workDir.cache + "/source-stat.json"
        ).digest
        guard current != old else { return nil }
        // The training stages, asked with the sources they saw: do they hold as recorded?
        let store = try StateStore(path: workDir.stateFile, profile: prepared.profile.name)
        let executor = PipelineExecutor(
            workDir: workDir, store: store, runner: SubprocessRunner(), progress: SilentProgress(), logger: logger,
            sharedMaterial: ["toolchain": prepared.toolchain.identity, "source": old], digests: DigestCache(path: nil))
        guard try await executor.holds(Array(graph.stages[...end])) else {
            logger.info("the sources changed, and so did the training (its commands, flags or tools): training again")
            return nil
        }
        let path = workDir.cache + "/training-\(trained.fingerprint.prefix(16)).bundle"
        let note = "the last training's profile (sources \(old.prefix(12))) applied to the edited sources (\(current.prefix(12))), not retrained; `temper run --retrain` trains again"
        if FileManager.default.fileExists(atPath: path) {
            if prepared.bolt != nil, (try? ProfileBundle.read(path: path))?.manifest.bolt == nil { return nil }
            logger.info("sources changed since the last training: building from it (\(workDir.relative(path))), not retraining")
            return (path, note)
        }
        // First edit since this training: BOLT's training must hold too (its profiles are
        // exported in the form stale matching reads, from the binary they were recorded on),
        // and the state must be a trained pipeline's (not one built from a bundle).
        guard state.roles?.bundleImport == nil else { return nil }
        if prepared.bolt != nil {
            guard let boltProfiles = graph.boltProfiles, let boltEnd = graph.stages.firstIndex(where: { $0.id == boltProfiles }),
                try await executor.holds(graph.stages[...boltEnd].filter { $0.id != graph.optimizedBuild.stage })
            else { return nil }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workDir.cache)) ?? [] where name.hasPrefix("training-") && name.hasSuffix(".bundle") {
            try workDir.remove(workDir.cache + "/" + name)
        }
        logger.info("sources changed since the last training: exporting it to \(workDir.relative(path)) and building from it, not retraining")
        do {
            _ = try await BundleExporter().export(workDir: workDir, to: path, holding: lock)
        } catch {
            logger.warning("could not keep the last training for the edited sources (\(error)); training again")
            try? workDir.remove(path)
            return nil
        }
        return (path, note)
    }
}
