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

    public func plan(_ context: PlanContext) throws -> StagePlan {
        StagePlan(
            steps: profile.boltArtifacts.map { StagePlan.Step("instrument \($0.name)", command($0, context.workDir)) },
            material: ["pie": "\(profile.bolt.pie)"])
    }

    /// Why BOLT cannot take this file, with the fix; nil when it can.
    static func problem(with path: String, name: String, acceptPIE: Bool) -> String? {
        guard let elf = ELFFile(path: path) else {
            return "\(name) is not an ELF file; BOLT only takes ELF executables and shared libraries. Leave it out of [bolt] artifacts."
        }
        if elf.isBolted {
            return "\(name) was already processed by BOLT (it has .bolt.org.text); BOLT cannot process its own output. Check that the build does not run llvm-bolt itself."
        }
        if elf.isStripped {
            return "\(name) is stripped (no .symtab); BOLT needs the symbols. Remove -s / strip from the build (strip the BOLTed result instead)."
        }
        if !elf.hasRelocations {
            return "\(name) has no static relocations (no .rela.text); BOLT needs them to move code. The optimize stage adds -Wl,--emit-relocs to {ldflags} and LDFLAGS: pass them to the link."
        }
        if elf.isPIE && !acceptPIE {
            return "\(name) is a position-independent executable although BOLT asked for -fno-pie -no-pie: the build did not pass {cflags}/{ldflags}. In a PIE, BOLT skips every function whose jump tables were hoisted out of a loop (typical interpreter loops) and still reports success. Pass the flags, or set [bolt] pie = true to accept that."
        }
        return nil
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try workDir.freshDirectory(context.directory)
        try workDir.remove(context.logPath)
        var outputs: [String] = []
        for artifact in profile.boltArtifacts {
            let inputPath = input.absolute(in: workDir) + "/" + artifact.path
            if let problem = Self.problem(with: inputPath, name: artifact.name, acceptPIE: profile.bolt.pie) {
                throw StageError(stage: name, message: problem)
            }
            let command = try context.stagePlan.command("instrument \(artifact.name)")
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            let output = output.absolute(in: workDir) + "/" + artifact.name
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
