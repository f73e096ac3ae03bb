import Foundation

/// Merges each BOLT artifact's `.fdata` files from every training task with merge-fdata.
public struct BoltMergeStage: Stage {
    public static let stageName = "bolt-merge"
    let profile: PipelineProfile
    let bolt: BoltTools

    public init(profile: PipelineProfile, bolt: BoltTools) {
        self.profile = profile
        self.bolt = bolt
    }

    public var name: String { Self.stageName }
    public var consumes: [String] { [TrainStage.boltStageName] }

    public static func merged(_ workDir: WorkDir, _ name: String) -> String {
        workDir.stageDirectory(stageName) + "/" + name + ".fdata"
    }

    func command(_ name: String, inputs: [String], _ workDir: WorkDir) -> Command {
        Command(executable: bolt.mergeFdata?.path ?? "merge-fdata", arguments: ["-o", Self.merged(workDir, name)] + inputs, workingDirectory: workDir.stageDirectory(self.name))
    }

    public func plan(_ context: PlanContext) throws -> StagePlan {
        StagePlan(steps: profile.boltArtifacts.map { StagePlan.Step("merge-fdata \($0.name)", command($0.name, inputs: ["{fdata of \($0.name)}"], context.workDir)) })
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try workDir.freshDirectory(context.directory)
        try workDir.remove(context.logPath)
        let raw = (context.plan.upstream[TrainStage.boltStageName]?.outputs.keys.sorted() ?? []).map(workDir.absolute)
        var outputs: [String] = []
        var files = 0
        for artifact in profile.boltArtifacts {
            let inputs = raw.filter { $0.contains("/\(artifact.name)/prof.fdata") }
            guard !inputs.isEmpty else {
                throw StageError(stage: name, message: "no training task ran \(artifact.name), so BOLT has no profile for it. Make a task run {artifact:\(artifact.name)} (or load it, for a library), or leave it out of [bolt] artifacts.")
            }
            let command = command(artifact.name, inputs: inputs, workDir)
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded, FileManager.default.fileExists(atPath: Self.merged(workDir, artifact.name)) else {
                throw StageError.toolFailed(stage: name, step: "merge-fdata \(artifact.name)", command: command, outcome: outcome)
            }
            outputs.append(Self.merged(workDir, artifact.name))
            files += inputs.count
        }
        return StageResult(outputs: outputs, counts: ["fdata_files": files], message: "\(files) .fdata files merged")
    }
}
