import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct ProfileParserTests {
    @Test func parsesTheShippedDemoProfile() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Profiles/demo.toml").standardizedFileURL.path
        let profile = try ProfileParser.load(path: path)
        #expect(profile.name == "demo")
        #expect(profile.source.hasSuffix("/Profiles/demo"))
        #expect(profile.build.artifacts == ["tl"])
        #expect(profile.train.tasks.map(\.name) == ["primes", "collatz", "hash", "fib", "tokens"])
        #expect(profile.bolt.enabled)
        #expect(profile.boltArtifacts.map(\.name) == ["tl"])
        #expect(profile.verifyTask.run[1] == "{source}/scripts/bench.tl")
        #expect(profile.train.jobs == 2)
        #expect(profile.optimize == OptimizeSettings(pgo: .ir, lto: .thin))
        #expect(profile.bench?.run.first == "{artifact:tl}")
        #expect(profile.train.tasks[3].timeout == 120)
    }

    @Test func appliesDefaultsAndResolvesPaths() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile)
        #expect(profile.source == "/p/src")
        #expect(profile.build.cflags == ["-O2"])
        #expect(profile.build.configure.isEmpty)
        #expect(profile.build.build == [["make", "-j{jobs}", "CC={cc}", "CFLAGS={cflags}"]])
        #expect(profile.train.onFailure == .fail)
        #expect(profile.instrument.lto == LTOMode.none && profile.instrument.cflags.isEmpty)
        #expect(profile.baseline.enabled == false)
        #expect(profile.build.artifactNames == ["app"])
    }

    @Test func absolutePathsStayAbsolute() throws {
        let text = Fixtures.minimalProfile.replacingOccurrences(of: "path = \"src\"", with: "path = \"/srv/project\"")
            + "\n[toolchain]\nllvm_bin = \"/usr/lib/llvm-22/bin\"\n"
        let profile = try Fixtures.parse(text)
        #expect(profile.source == "/srv/project")
        #expect(profile.toolchain.llvmBin == "/usr/lib/llvm-22/bin")
    }

    @Test func acceptsSeveralCommandsAsArrayOfArgvArrays() throws {
        let text = Fixtures.minimalProfile.replacingOccurrences(
            of: "build = [\"make\", \"-j{jobs}\", \"CC={cc}\", \"CFLAGS={cflags}\"]",
            with: "build = [[\"make\", \"-j{jobs}\"], [\"make\", \"install\"]]")
        #expect(try Fixtures.parse(text).build.build == [["make", "-j{jobs}"], ["make", "install"]])
    }

    @Test func mistypedKeyNamesFileLineKeyAndSuggestion() throws {
        let text = Fixtures.minimalProfile + "\n[train]\njbos = 2\n"
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(text) }
        guard case .unknownKey(let file, let keyPath, let line, _, let suggestion) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(file == "/p/profile.toml")
        #expect(keyPath == "train.jbos")
        #expect(suggestion == "jobs")
        #expect(line == text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("jbos") }.map { $0 + 1 })
        #expect(error.description.contains("/p/profile.toml:"))
        #expect(error.description.contains("did you mean `jobs`"))
    }

    @Test func unknownTopLevelTableIsRejected() throws {
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(Fixtures.minimalProfile + "\n[optimise]\npgo = \"ir\"\n") }
        #expect(error.description.contains("unknown key `optimise`"))
        #expect(error.description.contains("did you mean `optimize`"))
    }

    @Test func wrongTypeNamesKeyPathAndExpectedType() throws {
        let text = Fixtures.minimalProfile + "\ntimeout = \"soon\"\n"
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(text) }
        #expect(error == .wrongType(file: "/p/profile.toml", keyPath: "train.task[0].timeout", line: 14, expected: "a number (seconds)", found: "a string"))
    }

    @Test func wrongTypeInsideAnArray() throws {
        let text = Fixtures.minimalProfile.replacingOccurrences(of: "artifacts = [\"bin/app\"]", with: "artifacts = [\"bin/app\", 3]")
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(text) }
        #expect(error.description.contains("`build.artifacts[1]` must be a string, found an integer"))
    }

    @Test func syntaxErrorGivesLineAndColumn() throws {
        let text = "version = 1\nname = \"x\"\n[source\npath = \"a\"\n"
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(text) }
        guard case .syntax(_, let line, let column, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(line == 3)
        #expect(column > 0)
        #expect(error.description.hasPrefix("/p/profile.toml:3:"))
    }

    @Test func badEnumValueListsTheChoices() throws {
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(Fixtures.minimalProfile + "\n[optimize]\nlto = \"thinn\"\n") }
        #expect(error.description.contains("expected \"thin\" or \"full\" or \"none\", found \"thinn\""))
    }

    @Test func missingRequiredKeys() throws {
        let noBuild = Fixtures.minimalProfile.replacingOccurrences(of: "build = [\"make\", \"-j{jobs}\", \"CC={cc}\", \"CFLAGS={cflags}\"]\n", with: "")
        #expect(throws: ProfileError.missingKey(file: "/p/profile.toml", keyPath: "build.build", expected: "an argv array, e.g. [\"make\", \"-j{jobs}\"], or `system = \"cmake\"` (or meson, autotools, make)")) {
            try Fixtures.parse(noBuild)
        }
        let noTasks = Fixtures.minimalProfile.components(separatedBy: "[[train.task]]")[0]
        #expect(throws: ProfileError.missingKey(file: "/p/profile.toml", keyPath: "train.task", expected: "at least one [[train.task]] with `name` and `run`")) {
            try Fixtures.parse(noTasks)
        }
    }

    @Test func unknownPlaceholderAndUnknownArtifactAreRejected() throws {
        let badPlaceholder = Fixtures.minimalProfile.replacingOccurrences(of: "CFLAGS={cflags}", with: "CFLAGS={cflag}")
        let first = try #require(throws: ProfileError.self) { try Fixtures.parse(badPlaceholder) }
        #expect(first.description.contains("unknown placeholder `{cflag}`"))
        let badArtifact = Fixtures.minimalProfile.replacingOccurrences(of: "{artifact:app}", with: "{artifact:ap}")
        let second = try #require(throws: ProfileError.self) { try Fixtures.parse(badArtifact) }
        #expect(second.description.contains("`{artifact:ap}` names no artifact"))
        let artifactInBuild = Fixtures.minimalProfile.replacingOccurrences(of: "CFLAGS={cflags}", with: "{artifact:app}")
        #expect(throws: ProfileError.self) { try Fixtures.parse(artifactInBuild) }
    }

    @Test func duplicateTaskNamesAndUnsupportedVersion() throws {
        let twice = Fixtures.minimalProfile + "\n[[train.task]]\nname = \"one\"\nrun = [\"x\"]\n"
        let error = try #require(throws: ProfileError.self) { try Fixtures.parse(twice) }
        #expect(error.description.contains("already named `one`"))
        let v2 = Fixtures.minimalProfile.replacingOccurrences(of: "version = 1", with: "version = 2")
        let versionError = try #require(throws: ProfileError.self) { try Fixtures.parse(v2) }
        #expect(versionError.description.contains("format version 2 is not supported"))
    }
}
