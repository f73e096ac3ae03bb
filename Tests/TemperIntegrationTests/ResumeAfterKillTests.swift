import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Drives the real `temper` executable: SIGKILL during train, then resume; SIGINT; exit codes.
@Suite(.serialized) struct ResumeAfterKillTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func state() -> PipelineState? { try? StateStore.load(path: sandbox.workDir + "/state.json") }

    func doneTasks() -> Int { state()?.stages["train"]?.items?.done.count ?? 0 }

    @Test func killedDuringTrainResumesAtTheUnfinishedTasks() async throws {
        // Slow, serial tasks, so that the kill lands between tasks 1 and 4.
        let profile = try sandbox.writeProfile(name: "killme", jobs: 1, repeatCount: 40)
        let temper = try Temper.start(["run", profile, "--workdir", sandbox.workDir])
        try await Temper.waitUntil(timeout: 120) { doneTasks() >= 2 }
        kill(temper.processIdentifier, SIGKILL)
        _ = await Temper.wait(temper)
        let instrumentDigest = try #require(state()?.stages["instrument"]?.outputs.values.first)
        let doneBefore = Set(state()?.stages["train"]?.items?.done.keys.map { $0 } ?? [])
        #expect(doneBefore.count >= 2 && doneBefore.count < 4)
        #expect(state()?.stages["train"]?.status == .running)

        let (status, output) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        #expect(status == 0, "\(output)")
        #expect(output.contains("[instrument] reused"))
        #expect(output.contains("resuming: \(doneBefore.count) of 4 tasks already done"))
        for task in doneBefore { #expect(!output.contains("\(task) done"), "\(task) ran again") }
        let resumed = try #require(state())
        #expect(resumed.stages["instrument"]?.outputs.values.first == instrumentDigest)
        #expect(resumed.stages["train"]?.counts["tasks_reused"] == doneBefore.count)
        let resumedProfile = try #require(resumed.stages["merge"]?.named["profdata"])

        // The same pipeline without interruption merges exactly the same profile.
        let (cleanStatus, _) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir + "-clean"])
        #expect(cleanStatus == 0)
        let clean = try #require(try StateStore.load(path: sandbox.workDir + "-clean/state.json"))
        #expect(clean.stages["merge"]?.named["profdata"] == resumedProfile)
    }

    @Test func anOrphanTheLedgerMissedIsFoundByItsMarkAndStopped() async throws {
        // As if temper were killed between spawning a task and recording its group: no ledger.
        let runner = SubprocessRunner(ledger: ProcessGroupLedger(path: sandbox.root + "/unused.json", mark: sandbox.workDir))
        let orphan = Task { try await runner.run(Command(executable: "sleep", arguments: ["30"], workingDirectory: sandbox.root), logPath: sandbox.root + "/sleep.log") }
        try await Temper.waitUntil(timeout: 10) { !ProcessGroupLedger.markedProcesses(sandbox.workDir).isEmpty }
        #expect(ProcessGroupLedger.markedProcesses(sandbox.workDir + "-other").isEmpty)
        #expect(ProcessGroupLedger.stopLeftovers(recordedIn: sandbox.root + "/no-ledger.json", mark: sandbox.workDir) == 1)
        #expect(ProcessGroupLedger.markedProcesses(sandbox.workDir).isEmpty)
        #expect(try await orphan.value.termination == .signaled(SIGKILL))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func interruptStopsTheStageAndExits130(signal: Int32) async throws {
        let profile = try sandbox.writeProfile(name: "interrupt", jobs: 1, repeatCount: 40)
        let temper = try Temper.start(["run", profile, "--workdir", sandbox.workDir])
        try await Temper.waitUntil(timeout: 120) { doneTasks() >= 1 }
        kill(temper.processIdentifier, signal)
        #expect(await Temper.wait(temper) == 130)
        #expect(state()?.stages["train"]?.status == .interrupted)
        #expect(try sandbox.processes(matching: sandbox.workDir + "/stages/instrument/build/tl").isEmpty)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.status == "interrupted")
        #expect(report.stages.first { $0.name == "train" }?.outcome == .interrupted)
        let (status, json) = try await Temper.run(["status", "--workdir", sandbox.workDir, "--json"])
        #expect(status == 0)
        #expect(json.contains("\"outcome\" : \"interrupted\""))
    }

    @Test func badProfilesExit2WithALocatedMessage() async throws {
        let typo = try sandbox.writeRaw(name: "typo.toml", sandbox.profileText(name: "typo").replacingOccurrences(of: "jobs = ", with: "jbos = "))
        let (typoStatus, typoOutput) = try await Temper.run(["run", typo, "--workdir", sandbox.workDir])
        #expect(typoStatus == 2)
        #expect(typoOutput.contains("\(typo):") && typoOutput.contains("unknown key `train.jbos`"))
        let syntax = try sandbox.writeRaw(name: "syntax.toml", "version = 1\nname = \"x\"\n[source\n")
        let (syntaxStatus, syntaxOutput) = try await Temper.run(["plan", syntax])
        #expect(syntaxStatus == 2)
        #expect(syntaxOutput.contains("\(syntax):3:"))
    }

    /// The README's exit-status contract for usage errors and for commands on a missing work dir.
    @Test func usageErrorsAndMissingWorkDirsExit2() async throws {
        let empty = sandbox.root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let cases: [[String]] = [
            [], ["run"], ["frobnicate"], ["run", sandbox.profile, "--jobs", "0"], ["plan", sandbox.profile, "--jobs", "0"],
            ["run", sandbox.profile, "--jobs", "99999999999999999999"], ["bench", sandbox.profile, "--runs", "0"],
            ["bench", sandbox.profile, "--variants", "pgo-lto,turbo"], ["report", "--format", "pdf"],
            ["run", sandbox.profile, "--from", "nope"], ["run", sandbox.profile, "--no-bolt", "--to", "bolt-merge"],
            ["run", sandbox.profile, "--from", "optimize", "--to", "train"],
            ["status", "--workdir", empty], ["report", "--workdir", empty], ["clean", "--workdir", empty],
            ["status", "--workdir", sandbox.root + "/missing"], ["report", "--workdir", sandbox.root + "/missing"],
        ]
        for arguments in cases {
            let (status, output) = try await Temper.run(arguments)
            #expect(status == 2, "temper \(arguments.joined(separator: " ")) exited \(status):\n\(output)")
            #expect(output.contains("temper: error:") || output.contains("Error:") || output.contains("USAGE"), "\(output)")
        }
        // Nothing of that made a work dir.
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir))
        let (help, _) = try await Temper.run(["--help"])
        #expect(help == 0)
    }

    @Test func secondRunOnALockedWorkDirIsRefused() async throws {
        let profile = try sandbox.writeProfile(name: "locked", jobs: 1, repeatCount: 40)
        let temper = try Temper.start(["run", profile, "--workdir", sandbox.workDir])
        try await Temper.waitUntil(timeout: 60) { state()?.stages["instrument"] != nil }
        let (status, output) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        kill(temper.processIdentifier, SIGKILL)
        _ = await Temper.wait(temper)
        #expect(status == 4)
        #expect(output.contains("another temper run (pid \(temper.processIdentifier))"))
    }

    @Test func mixedToolchainExits3() async throws {
        let mixed = try await sandbox.mixedToolchainDirectory()
        let (status, output) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir, "--llvm-bin", mixed.directory])
        #expect(status == 3)
        #expect(output.contains("LLVM \(try await TestLLVM.find().major).") && output.contains("LLVM \(mixed.otherMajor)."))
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/stages"))
    }
}
