import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// temper deletes and rewrites only inside a directory its own state file marks as a work dir,
/// and never follows a symlink out of it.
@Suite(.serialized) struct WorkDirSafetyTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func write(_ path: String, _ text: String = "keep me") throws {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func freshNeverDeletesADirectoryThatIsNotAWorkDir() async throws {
        // A user's directory with the names a work dir uses, and no state.json.
        let user = sandbox.root + "/project"
        for file in ["out/tl", "logs/build.log", "stages/notes.txt", "report.json"] { try write(user + "/" + file) }
        let (status, output) = try await Temper.run(["run", sandbox.profile, "--workdir", user, "--fresh"])
        #expect(status == 2)
        #expect(output.contains("is not a temper work dir") || output.contains("not a temper work dir"), "\(output)")
        for file in ["out/tl", "logs/build.log", "stages/notes.txt", "report.json"] {
            #expect(try String(contentsOfFile: user + "/" + file, encoding: .utf8) == "keep me")
        }
        #expect(!FileManager.default.fileExists(atPath: user + "/lock") && !FileManager.default.fileExists(atPath: user + "/state.json"))
        // The current directory (or one holding the source tree) is never a work dir.
        let (cwd, cwdOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", ".", "--fresh"], in: user)
        #expect(cwd == 2 && cwdOutput.contains("the current directory"), "\(cwdOutput)")
        let (source, sourceOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.root, "--fresh"])
        #expect(source == 2 && sourceOutput.contains("the source tree"), "\(sourceOutput)")
    }

    @Test func freshOnAWorkDirRunsEverythingAgain() async throws {
        let (first, firstOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir])
        #expect(first == 0, "\(firstOutput)")
        // A stage this pipeline does not have is refused before the good report is touched.
        let goodReport = FileManager.default.contents(atPath: sandbox.workDir + "/report.json")
        for arguments in [["--from", "nope"], ["--no-bolt", "--from", "bolt-merge"], ["--to", "bolt-train", "--no-bolt"]] {
            let (status, output) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir] + arguments)
            #expect(status == 2, "\(arguments): \(output)")
        }
        #expect(FileManager.default.contents(atPath: sandbox.workDir + "/report.json") == goodReport)
        try write(sandbox.workDir + "/out/stray", "left by hand")
        let (again, _) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir, "--fresh"])
        #expect(again == 0)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.stages.allSatisfy { $0.outcome == .executed })
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/out/stray"))
        #expect(FileManager.default.fileExists(atPath: sandbox.workDir + "/out/tl"))
        // A damaged state file: refused without --fresh, started over with it.
        try write(sandbox.workDir + "/state.json", "{ not json")
        let (damaged, damagedOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir])
        #expect(damaged == 2 && damagedOutput.contains("--fresh"))
        let (repaired, repairedOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir, "--fresh"])
        #expect(repaired == 0, "\(repairedOutput)")
    }

    @Test func cleanDeletesOnlyWorkDirsAndFollowsNoSymlinkOut() async throws {
        // Only a lock (what an older temper left after refusing bad input): not a work dir.
        let lockOnly = sandbox.root + "/lock-only"
        try write(lockOnly + "/lock", "")
        try write(lockOnly + "/mine.txt")
        let (refused, refusedOutput) = try await Temper.run(["clean", "--workdir", lockOnly])
        #expect(refused == 2 && refusedOutput.contains("not a temper work dir"), "\(refusedOutput)")
        #expect(FileManager.default.fileExists(atPath: lockOnly + "/mine.txt"))

        // A real work dir holding symlinks to the user's files and directories.
        let (built, _) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir, "--to", "instrument"])
        #expect(built == 0)
        let outside = sandbox.root + "/outside"
        try write(outside + "/precious.txt")
        try FileManager.default.createSymbolicLink(atPath: sandbox.workDir + "/link-to-dir", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: sandbox.workDir + "/stages/link-to-file", withDestinationPath: outside + "/precious.txt")
        try FileManager.default.createSymbolicLink(atPath: sandbox.workDir + "/stages/instrument/build/src", withDestinationPath: sandbox.source)
        let sourceBefore = BrokenProfileTests.listing(sandbox.source)

        // A symlink to the work dir is not the work dir: refused, nothing deleted.
        let alias = sandbox.root + "/alias"
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: sandbox.workDir)
        let (aliased, aliasedOutput) = try await Temper.run(["clean", "--workdir", alias])
        #expect(aliased == 2 && aliasedOutput.contains("symlink"), "\(aliasedOutput)")
        #expect(FileManager.default.fileExists(atPath: sandbox.workDir + "/state.json"))

        let (cleaned, cleanedOutput) = try await Temper.run(["clean", "--workdir", sandbox.workDir])
        #expect(cleaned == 0, "\(cleanedOutput)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir))
        #expect(try String(contentsOfFile: outside + "/precious.txt", encoding: .utf8) == "keep me")
        #expect(BrokenProfileTests.listing(sandbox.source) == sourceBefore)
    }
}
