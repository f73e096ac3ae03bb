import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Checks each BOLT artifact of the optimized build (relocations, symbols, not already
/// processed, not a PIE unless the profile accepts it), then instruments it with llvm-bolt.
public struct BoltInstrumentStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let bolt: BoltTools
    /// The optimized build tree whose artifacts are instrumented, and the directory under which
    /// the training stage collects profiles (baked into the binaries), wired by the composer.
    let input: StageOutputPath
    let profileRoot: String

    public init(id: StageID = .boltInstrument, profile: PipelineProfile, bolt: BoltTools, input: StageOutputPath, profileRoot: String) {
        self.id = id
        self.profile = profile
        self.bolt = bolt
        self.input = input
        self.profileRoot = profileRoot
    }

    public var consumes: [StageID] { [input.stage] }

    /// The directory holding one instrumented copy of each BOLT artifact, named by its file name.
    public var output: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)") }

    func command(_ artifact: (path: String, name: String), _ workDir: WorkDir) -> Command {
        ToolCommands.boltInstrument(
            bolt, input: input.absolute(in: workDir) + "/" + artifact.path,
            profileFile: BoltPaths.instrumentationFile(rawRoot: workDir.absolute(profileRoot), artifact.name),
            output: output.absolute(in: workDir) + "/" + artifact.name, directory: workDir.stageDirectory(id))
    }

    public func plan(_ context: PlanContext) throws -> Plan {
        let workDir = context.workDir
        return Plan(acceptPIE: profile.bolt.pie, artifacts: profile.boltArtifacts.map { artifact in
            Plan.Artifact(
                name: artifact.name, input: input.absolute(in: workDir) + "/" + artifact.path,
                output: output.absolute(in: workDir) + "/" + artifact.name, command: command(artifact, workDir))
        })
    }

    /// The instrumentation, as a value: each artifact's input, output and llvm-bolt command.
    public struct Plan: ArtifactCommandsPlan {
        public struct Artifact: ArtifactCommand {
            public var name: String
            public var input: String
            public var output: String
            public var command: Command
        }

        public static let stepName = "instrument"
        public var acceptPIE: Bool
        public var artifacts: [Artifact]
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try context.startFresh()
        var outputs: [String] = []
        for artifact in plan.artifacts {
            if let problem = BoltInputCheck.problem(with: artifact.input, name: artifact.name, acceptPIE: plan.acceptPIE) {
                throw StageError(stage: name, message: problem)
            }
            let command = artifact.command
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            let output = artifact.output
            guard outcome.succeeded, FileManager.default.fileExists(atPath: output) else {
                throw StageError.toolFailed(stage: name, step: "llvm-bolt -instrument \(artifact.name)", command: command, outcome: outcome)
            }
            outputs.append(output)
        }
        if outputs.isEmpty {
            throw StageError(stage: name, message: "no artifact to BOLT: [bolt] artifacts is empty, or [build] artifacts has no executable.")
        }
        return StageResult(outputs: outputs, message: "\(outputs.count) artifact(s) instrumented")
    }
}
