import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct StateTests {
    @Test func stateRoundTripsThroughAtomicWrites() async throws {
        let root = try Fixtures.temporaryDirectory()
        let store = try StateStore(path: root + "/state.json", profile: "demo")
        try await store.update("merge") { record in
            var fresh = StageRecord(fingerprint: "f1", status: .completed, outcome: .executed, seconds: 1.5)
            fresh.outputs = ["stages/merge/a.profdata": "abc"]
            fresh.counts = ["functions": 17]
            record = fresh
        }
        let loaded = try #require(try StateStore.load(path: root + "/state.json"))
        #expect(loaded.version == PipelineState.currentVersion)
        #expect(loaded.profile == "demo")
        #expect(loaded.stages["merge"]?.counts["functions"] == 17)
        #expect(loaded.stages["merge"]?.outputs == ["stages/merge/a.profdata": "abc"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func unknownVersionAndCorruptStateAreClearErrors() throws {
        let root = try Fixtures.temporaryDirectory()
        try Data(#"{"version": 99, "profile": "x", "stages": {}}"#.utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
        #expect(throws: StateError.unsupportedVersion(path: root + "/state.json", version: 99)) {
            _ = try StateStore.load(path: root + "/state.json")
        }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
        let error = try #require(throws: StateError.self) { _ = try StateStore.load(path: root + "/state.json") }
        #expect(error.description.contains("--fresh"))
        #expect(ExitStatus.of(error) == ExitStatus.badInput)
    }

    @Test func fingerprintsAreStableAndFieldSeparated() {
        var a = Fingerprint()
        a.add("x", "ab")
        a.add("y", "c")
        var b = Fingerprint()
        b.add("x", "a")
        b.add("y", "bc")
        var c = Fingerprint()
        c.add("x", "ab")
        c.add("y", "c")
        #expect(a.finalize() == c.finalize())
        #expect(a.finalize() != b.finalize())
        #expect(a.finalize().count == 64)
    }

    @Test func sourceDigestFollowsContentNotTimestamps() throws {
        let root = try Fixtures.temporaryDirectory()
        try Data("int main(){}".utf8).write(to: URL(fileURLWithPath: root + "/a.c"))
        try FileManager.default.createDirectory(atPath: root + "/.git", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/.git/HEAD"))
        let first = try SourceDigest.compute(root: root)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: root + "/a.c")
        try Data("y".utf8).write(to: URL(fileURLWithPath: root + "/.git/HEAD"))
        #expect(try SourceDigest.compute(root: root) == first)
        try Data("int main(){return 1;}".utf8).write(to: URL(fileURLWithPath: root + "/a.c"))
        #expect(try SourceDigest.compute(root: root) != first)
        #expect(throws: SourceDigestError.self) { _ = try SourceDigest.compute(root: root + "/missing") }
    }

    /// A FIFO (or a device) in a tree temper did not make is never read: reading it would block
    /// forever. It counts by its kind alone.
    @Test func specialFilesInTheSourceTreeAreNeverRead() throws {
        let root = try Fixtures.temporaryDirectory()
        try Data("int main(){}".utf8).write(to: URL(fileURLWithPath: root + "/a.c"))
        let plain = try SourceDigest.compute(root: root)
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        let snapshot = try SourceDigest.snapshot(root: root)
        #expect(snapshot.files["pipe"] == "special:fifo" && snapshot.digest != plain)
        #expect(FileDigest.sha256(of: root + "/pipe") == nil)
        try FileManager.default.createSymbolicLink(atPath: root + "/link-to-pipe", withDestinationPath: root + "/pipe")
        #expect(FileDigest.sha256(of: root + "/link-to-pipe") == nil)
        #expect(FileDigest.sha256(of: "/dev/zero") == nil)
        // Another temper work dir inside the tree is not source content.
        let before = try SourceDigest.snapshot(root: root).digest
        try FileManager.default.createDirectory(atPath: root + "/.temper/x", withIntermediateDirectories: true)
        try JSONEncoder().encode(PipelineState(profile: "x")).write(to: URL(fileURLWithPath: root + "/.temper/x/state.json"))
        try Data("log".utf8).write(to: URL(fileURLWithPath: root + "/.temper/x/run.log"))
        #expect(try SourceDigest.snapshot(root: root).digest == before)
    }

    @Test func workDirRefusesPathsOutsideItOrThroughSymlinks() throws {
        let root = try Fixtures.temporaryDirectory()
        let outside = try Fixtures.temporaryDirectory()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/precious"))
        let workDir = WorkDir(root: root + "/wd")
        try workDir.makeDirectory(workDir.root + "/stages")
        try FileManager.default.createSymbolicLink(atPath: workDir.root + "/stages/link", withDestinationPath: outside)
        #expect(throws: WorkDirError.self) { try workDir.remove(outside + "/precious") }
        #expect(throws: WorkDirError.self) { try workDir.remove(workDir.root + "/stages/link/precious") }
        #expect(throws: WorkDirError.self) { try workDir.remove(workDir.root + "/../x") }
        // Removing the link itself removes the link, not what it points to.
        try workDir.remove(workDir.root + "/stages/link")
        #expect(FileManager.default.fileExists(atPath: outside + "/precious"))
    }

    @Test func newFilesNeverReplaceWhatIsThere() throws {
        let root = try Fixtures.temporaryDirectory()
        try NewFile.write(Data("one".utf8), to: root + "/out")
        #expect(FileManager.default.contents(atPath: root + "/out") == Data("one".utf8))
        #expect(throws: NewFile.Failure.exists(root + "/out")) { try NewFile.write(Data("two".utf8), to: root + "/out") }
        #expect(FileManager.default.contents(atPath: root + "/out") == Data("one".utf8))
        // A dangling symlink is a name that exists: nothing is written where it points.
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/elsewhere")
        #expect(throws: NewFile.Failure.exists(root + "/link")) { try NewFile.write(Data("x".utf8), to: root + "/link") }
        #expect(!FileManager.default.fileExists(atPath: root + "/elsewhere"))
        let missing = try #require(throws: NewFile.Failure.self) { try NewFile.write(Data("x".utf8), to: root + "/none/out") }
        #expect(ExitStatus.of(missing) == ExitStatus.badInput && "\(missing)".contains("the directory \(root)/none does not exist"))
        #expect(throws: NewFile.Failure.self) { try NewFile.check(root + "/dir/") }
        // No temp file is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["link", "out"])
    }

    @Test func cleanOnlyDeletesTemperWorkDirs() throws {
        let root = try Fixtures.temporaryDirectory()
        #expect(throws: WorkDirError.notAWorkDir(root: root)) { try WorkDirCleaner.clean(WorkDir(root: root)) }
        // A file named state.json is not enough: it must be temper's state.
        for foreign in ["{}", "anything", #"{"version": 1, "kind": "someone-else", "profile": "p", "stages": {}}"#] {
            try Data(foreign.utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
            #expect(throws: WorkDirError.notAWorkDir(root: root)) { try WorkDirCleaner.clean(WorkDir(root: root)) }
        }
        try JSONEncoder().encode(PipelineState(profile: "p")).write(to: URL(fileURLWithPath: root + "/state.json"))
        try WorkDirCleaner.clean(WorkDir(root: root))
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func secondLockOnTheSameWorkDirIsRefused() throws {
        let workDir = WorkDir(root: try Fixtures.temporaryDirectory())
        let lock = try WorkDirLock(workDir: workDir)
        let error = try #require(throws: WorkDirError.self) { _ = try WorkDirLock(workDir: workDir) }
        #expect(ExitStatus.of(error) == ExitStatus.workDirBusy)
        #expect(error.description.contains("pid \(getpid())"))
        lock.release()
        _ = try WorkDirLock(workDir: workDir)
    }

    /// A holder that has the lock but has not written its pid yet is described as such,
    /// never as "pid " with nothing after it.
    @Test func aHolderWithoutItsPidYetIsNamedAsStarting() throws {
        let workDir = WorkDir(root: try Fixtures.temporaryDirectory())
        let fd = open(workDir.lockFile, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let error = try #require(throws: WorkDirError.self) { _ = try WorkDirLock(workDir: workDir) }
        #expect(error == .busy(root: workDir.root, holder: "a run that is just starting or ending"))
        #expect(!error.description.contains("pid )"))
    }

    /// Only temper's state file makes a directory a work dir; a lock alone, other files or a
    /// state.json someone else wrote do not.
    @Test func aDirectoryIsAWorkDirOnlyByItsStateFile() throws {
        let root = try Fixtures.temporaryDirectory()
        let workDir = WorkDir(root: root)
        FileManager.default.createFile(atPath: root + "/lock", contents: Data())
        #expect(!workDir.isTemperWorkDir)
        #expect(throws: WorkDirError.notAWorkDir(root: root)) { try WorkDirCleaner.clean(workDir) }
        #expect(FileManager.default.fileExists(atPath: root + "/lock"))
        // Empty but for an empty lock: usable; with the user's files: refused.
        try workDir.checkUsable(source: "/nonexistent-source")
        FileManager.default.createFile(atPath: root + "/notes.txt", contents: Data("x".utf8))
        #expect(throws: WorkDirError.self) { try workDir.checkUsable(source: "/nonexistent-source") }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
        #expect(!workDir.isTemperWorkDir)
        try JSONEncoder().encode(PipelineState(profile: "p")).write(to: URL(fileURLWithPath: root + "/state.json"))
        #expect(workDir.isTemperWorkDir)
        // A state file from a temper before the marker still counts: it decodes as the state whole.
        try Data(#"{"version": 1, "profile": "p", "stages": {}}"#.utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
        #expect(workDir.isTemperWorkDir)
        try workDir.checkUsable(source: "/nonexistent-source")
        // The source tree itself, or a directory holding it, is never a work dir.
        #expect(throws: WorkDirError.self) { try workDir.checkUsable(source: root + "/src") }
    }
}

/// The stat cache gives the same digest as hashing everything, and notices every change.
@Suite struct SourceStatCacheTests {
    @Test func theCacheNeverChangesTheDigestAndSeesEveryEdit() throws {
        let root = try Fixtures.temporaryDirectory()
        let cache = try Fixtures.temporaryDirectory() + "/source-stat.json"
        for index in 0..<20 { try Data("file \(index)".utf8).write(to: URL(fileURLWithPath: root + "/f\(index).c")) }
        // Old enough not to be "racy": the cache remembers them.
        for index in 0..<20 {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: root + "/f\(index).c")
        }
        let uncached = try SourceDigest.compute(root: root)
        #expect(try SourceDigest.compute(root: root, statCache: cache) == uncached)
        #expect(StatCache.load(cache)?.count == 20)
        // A second run reads the cache and gives the same digest.
        #expect(try SourceDigest.compute(root: root, statCache: cache) == uncached)
        // The same size, the same old modification time, other bytes: the change time differs.
        try Data("file X".utf8).write(to: URL(fileURLWithPath: root + "/f3.c"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: root + "/f3.c")
        let edited = try SourceDigest.compute(root: root, statCache: cache)
        let rehashed = try SourceDigest.compute(root: root)
        #expect(edited != uncached && edited == rehashed)
        // A file just written is not remembered (a change within its timestamp tick could hide).
        try Data("new".utf8).write(to: URL(fileURLWithPath: root + "/fresh.c"))
        _ = try SourceDigest.compute(root: root, statCache: cache)
        #expect(StatCache.load(cache)?["fresh.c"] == nil && StatCache.load(cache)?["f0.c"] != nil)
        // A damaged cache is ignored, never trusted.
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: cache))
        let plain = try SourceDigest.compute(root: root)
        #expect(try SourceDigest.compute(root: root, statCache: cache) == plain)
    }
}

@Suite struct SourceExclusionTests {
    @Test func bytecodeCachesAndExcludedNamesDoNotChangeTheDigest() throws {
        let root = try Fixtures.temporaryDirectory()
        try Data("x = 1".utf8).write(to: URL(fileURLWithPath: root + "/a.py"))
        let first = try SourceDigest.compute(root: root, patterns: ["*.log", "generated"])
        try FileManager.default.createDirectory(atPath: root + "/__pycache__", withIntermediateDirectories: true)
        try Data("bytecode".utf8).write(to: URL(fileURLWithPath: root + "/__pycache__/a.cpython-311.pyc"))
        try Data("noise".utf8).write(to: URL(fileURLWithPath: root + "/build.log"))
        try FileManager.default.createDirectory(atPath: root + "/generated", withIntermediateDirectories: true)
        try Data("g".utf8).write(to: URL(fileURLWithPath: root + "/generated/x.c"))
        #expect(try SourceDigest.compute(root: root, patterns: ["*.log", "generated"]) == first)
        #expect(try SourceDigest.compute(root: root) != first)
    }
}

/// `temper status` tells a stage a live run is running from one a killed run left.
@Suite struct StatusTests {
    @Test func aRunningRecordIsRunningOnlyWhileItsRunLives() async throws {
        let workDir = WorkDir(root: try Fixtures.temporaryDirectory())
        let store = try StateStore(path: workDir.stateFile, profile: "p")
        try await store.update(.optimize) { $0 = StageRecord(fingerprint: "f", status: .running, outcome: .executed, seconds: 0) }
        try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: workDir.lockFile))
        let live = try StatusReader.entries(workDir: workDir)
        #expect(live.map(\.status) == ["running"] && live.first?.message?.contains("running now (pid \(getpid()))") == true)
        // The lock file of a killed run names a pid that is gone (or nothing).
        try Data("".utf8).write(to: URL(fileURLWithPath: workDir.lockFile))
        #expect(try StatusReader.entries(workDir: workDir).map(\.outcome) == [.interrupted])
    }
}
