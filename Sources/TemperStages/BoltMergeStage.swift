import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Merges each BOLT artifact's `.fdata` files from every training task with merge-fdata.
public struct BoltMergeStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let bolt: BoltTools
    /// The BOLT training stage whose `.fdata` files are merged, wired by the composer.
    let rawFrom: StageID

    public init(id: StageID = .boltMerge, profile: PipelineProfile, bolt: BoltTools, rawFrom: StageID = .boltTrain) {
        self.id = id
        self.profile = profile
        self.bolt = bolt
        self.rawFrom = rawFrom
    }

    public var consumes: [StageID] { [rawFrom] }

    /// The directory holding one merged `NAME.fdata` per BOLT artifact, for the composer to wire.
    public var output: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)") }

    func merged(_ workDir: WorkDir, _ name: String) -> String {
        output.absolute(in: workDir) + "/" + name + ".fdata"
    }

    /// The training stage's `.fdata` files of one artifact (none while planning ahead of a run).
    func inputs(_ context: PlanContext, _ name: String) -> [String] {
        (context.upstream[rawFrom]?.outputs.keys.sorted() ?? []).map(context.workDir.absolute).filter { $0.contains("/\(name)/prof.fdata") }
    }

    /// Planned ahead of a run (`temper plan`), the inputs are not known yet and are shown as
    /// a description; the executor always plans with the training record at hand.
    public func plan(_ context: PlanContext) throws -> StagePlan {
        StagePlan(steps: profile.boltArtifacts.map { artifact in
            let known = context.upstream[rawFrom] != nil
            return StagePlan.Step(
                "merge-fdata \(artifact.name)",
                ToolCommands.mergeFdata(
                    bolt, output: merged(context.workDir, artifact.name),
                    inputs: known ? inputs(context, artifact.name) : ["<each \(rawFrom) task's \(artifact.name)/prof.fdata>"],
                    directory: context.workDir.stageDirectory(id)))
        }, material: ["outputs": "NAME.fdata, NAME.dispatch"])
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try workDir.freshDirectory(context.directory)
        try workDir.remove(context.logPath)
        var outputs: [String] = []
        var files = 0
        for artifact in profile.boltArtifacts {
            let inputs = inputs(context.plan, artifact.name)
            guard !inputs.isEmpty else {
                throw StageError(stage: name, message: "no training task ran \(artifact.name), so BOLT has no profile for it. Make a task run {artifact:\(artifact.name)} (or load it, for a library), or leave it out of [bolt] artifacts.")
            }
            let command = try context.stagePlan.command("merge-fdata \(artifact.name)")
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded, FileManager.default.fileExists(atPath: merged(workDir, artifact.name)) else {
                throw StageError.toolFailed(stage: name, step: "merge-fdata \(artifact.name)", command: command, outcome: outcome)
            }
            outputs.append(merged(workDir, artifact.name))
            // The dispatch functions of this profile, for bolt-optimize's skip-dispatch candidate.
            let dispatch = output.absolute(in: workDir) + "/" + artifact.name + ".dispatch"
            let functions = DispatchFunctions.find(fdata: (try? String(contentsOfFile: merged(workDir, artifact.name), encoding: .utf8)) ?? "")
            try Data(functions.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: dispatch))
            outputs.append(dispatch)
            files += inputs.count
        }
        return StageResult(outputs: outputs, counts: ["fdata_files": files], message: "\(files) .fdata files merged")
    }
}
