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
        // A state file temper did not write is not temper's: refused with and without --fresh,
        // and the message does not suggest --fresh.
        try write(sandbox.workDir + "/state.json", "{ not json")
        for fresh in [[], ["--fresh"]] {
            let (damaged, damagedOutput) = try await Temper.run(["run", sandbox.profile, "--workdir", sandbox.workDir] + fresh)
            #expect(damaged == 2 && damagedOutput.contains("not a temper work dir") && !damagedOutput.contains("--fresh"), "\(damagedOutput)")
        }
        #expect(try String(contentsOfFile: sandbox.workDir + "/state.json", encoding: .utf8) == "{ not json")
    }

    @Test func aForeignStateFileSurvivesCleanRunAndFresh() async throws {
        // Someone else's directory with a state.json of its own: never temper's.
        let other = sandbox.root + "/other"
        for content in ["anything", #"{"version": 1, "kind": "someone-else", "profile": "x", "stages": {}}"#] {
            try write(other + "/state.json", content)
            try write(other + "/data.csv", "data")
            try write(other + "/out/result.txt", "mine")
            let before = BrokenProfileTests.listing(other)
            let contents = before.map { FileManager.default.contents(atPath: other + "/" + $0) }
            for arguments in [["clean", "--workdir", other], ["run", sandbox.profile, "--workdir", other], ["run", sandbox.profile, "--workdir", other, "--fresh"]] {
                let (status, output) = try await Temper.run(arguments)
                #expect(status == 2 && output.contains("not a temper work dir") && !output.contains("--fresh"), "\(arguments): \(output)")
                #expect(BrokenProfileTests.listing(other) == before, "\(arguments)")
                #expect(before.map { FileManager.default.contents(atPath: other + "/" + $0) } == contents, "\(arguments)")
            }
        }
    }

    @Test func aRunFromInsideTheSourceTreeNeverRebuildsElsewhere() async throws {
        let profile = try sandbox.writeProfile(name: "inside")
        let (first, firstOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        #expect(first == 0, "\(firstOutput)")
        // From inside the source tree, the default work dir lands there (.temper/inside).
        let (inside, insideOutput) = try await Temper.run(["run", profile], in: sandbox.source)
        #expect(inside == 0, "\(insideOutput)")
        #expect(FileManager.default.fileExists(atPath: sandbox.source + "/.temper/inside/state.json"))
        // Back at the usual place: that work dir is not source content, nothing runs again.
        let (again, _) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        #expect(again == 0)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.stages.allSatisfy { $0.outcome == .reused }, "\(report.stages.map { "\($0.name): \($0.outcome)" })")
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
