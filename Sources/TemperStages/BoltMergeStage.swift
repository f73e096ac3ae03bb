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
    public func plan(_ context: PlanContext) throws -> Plan {
        Plan(artifacts: profile.boltArtifacts.map { artifact in
            let known = context.upstream[rawFrom] != nil
            let inputs = inputs(context, artifact.name)
            return Plan.Artifact(
                name: artifact.name, inputs: inputs, output: merged(context.workDir, artifact.name),
                dispatch: output.absolute(in: context.workDir) + "/" + artifact.name + ".dispatch",
                command: ToolCommands.mergeFdata(
                    bolt, output: merged(context.workDir, artifact.name),
                    inputs: known ? inputs : ["<each \(rawFrom) task's \(artifact.name)/prof.fdata>"],
                    directory: context.workDir.stageDirectory(id)))
        })
    }

    /// The merge, as a value: per artifact, the training's `.fdata` files (from its record),
    /// the merged profile and its dispatch list, and the merge-fdata command.
    public struct Plan: ArtifactCommandsPlan {
        public struct Artifact: ArtifactCommand {
            public var name: String
            public var inputs: [String]
            public var output: String
            public var dispatch: String
            public var command: Command
        }

        public static let stepName = "merge-fdata"
        public var artifacts: [Artifact]
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try context.startFresh()
        var outputs: [String] = []
        var files = 0
        for artifact in plan.artifacts {
            let inputs = artifact.inputs
            guard !inputs.isEmpty else {
                throw StageError(stage: name, message: "no training task ran \(artifact.name), so BOLT has no profile for it. Make a task run {artifact:\(artifact.name)} (or load it, for a library), or leave it out of [bolt] artifacts.")
            }
            let command = artifact.command
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded, FileManager.default.fileExists(atPath: artifact.output) else {
                throw StageError.toolFailed(stage: name, step: "merge-fdata \(artifact.name)", command: command, outcome: outcome)
            }
            outputs.append(artifact.output)
            // The dispatch functions of this profile, for bolt-optimize's skip-dispatch candidate.
            let dispatch = artifact.dispatch
            let functions = DispatchFunctions.find(fdata: (try? String(contentsOfFile: artifact.output, encoding: .utf8)) ?? "")
            try Data(functions.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: dispatch))
            outputs.append(dispatch)
            files += inputs.count
        }
        return StageResult(outputs: outputs, counts: ["fdata_files": files], message: "\(files) .fdata files merged")
    }
}
