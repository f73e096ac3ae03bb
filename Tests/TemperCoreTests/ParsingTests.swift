import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Parsing of tool output: versions, profile summaries, compiler diagnostics.
@Suite struct ParsingTests {
    @Test(arguments: [
        ("Debian clang version 22.1.8 (++20250101)\nTarget: x86_64-pc-linux-gnu", "22.1.8", 22),
        ("clang version 21.0.0 (https://github.com/swiftlang/llvm-project.git 1167)", "21.0.0", 21),
        ("Debian LLVM version 14.0.6\n  Optimized build.", "14.0.6", 14),
        ("LLVM (http://llvm.org/):\n  LLVM version 21.0.0\n  Optimized build.", "21.0.0", 21),
        ("Debian LLD 22.1.8 (compatible with GNU linkers)", "22.1.8", 22),
        ("LLD 21.0.0 (https://github.com/swiftlang/llvm-project.git 1167) (compatible with GNU linkers)", "21.0.0", 21),
        ("Homebrew clang version 19.1.7\nTarget: arm64-apple-darwin24", "19.1.7", 19),
    ])
    func toolVersions(output: String, version: String, major: Int) {
        let parsed = ToolVersion.parse(output)
        #expect(parsed?.version == version)
        #expect(parsed?.major == major)
    }

    @Test func unparseableVersion() {
        #expect(ToolVersion.parse("llvm-profdata: Unknown command!") == nil)
    }

    @Test func profileSummary() {
        let text = """
            Instrumentation level: IR  entry_first = 0  instrument_loop_entries = 0
            Total functions: 17
            Maximum function count: 218
            Maximum internal block count: 2701806
            Total number of blocks: 168
            Total count: 9356756
            """
        #expect(ProfileSummary.parse(text) == ProfileSummary(functions: 17, totalCount: 9356756, maxCount: 218, level: .ir))
        #expect(ProfileSummary.parse("Instrumentation level: Front-end\nTotal functions: 3").level == .frontend)
    }

    @Test func compilerDiagnosticsAreCounted() {
        let log = """
            warning: src/vm.c: no profile data available for function statement Hash = 280681508119509381 up to 0 count discarded [-Wbackend-plugin]
            warning: src/vm.c: no profile data available for function emit Hash = 1347 up to 0 count discarded [-Wbackend-plugin]
            a.c:3:1: warning: function control flow change detected (hash mismatch) main Hash = 1 [-Wbackend-plugin]
            b.c: warning: profile data may be out of date: of 4 functions, 1 has mismatched data that will be ignored [-Wprofile-instr-out-of-date]
            note: this line mentions no profile data available for function but is not a warning
            """
        let counts = CompilerDiagnostics.count(in: log)
        #expect(counts["missing_functions"] == 2)
        #expect(counts["hash_mismatch"] == 1)
        #expect(counts["out_of_date"] == 1)
        #expect(counts["corrupt"] == 0)
        #expect(CompilerDiagnostics.summary(counts) == "profile warnings: missing functions: 2, hash mismatch: 1, out of date: 1")
        #expect(CompilerDiagnostics.summary(CompilerDiagnostics.count(in: "")) == "profile applied with no warnings")
    }

    @Test func exitStatuses() {
        #expect(ExitStatus.of(ProfileError.missingKey(file: "f", keyPath: "k", expected: "e")) == 2)
        #expect(ExitStatus.of(ToolchainError.notFound(searched: [])) == 3)
        #expect(ExitStatus.of(StageError(stage: "s", message: "m")) == 1)
        #expect(ExitStatus.of(PipelineError.interrupted(stage: "train")) == 130)
        #expect(ExitStatus.of(PipelineError.halted(reports: [], cause: PipelineError.interrupted(stage: "train"))) == 130)
        #expect(ExitStatus.of(CancellationError()) == 130)
    }
}

@Suite struct DiagnosticsByFileTests {
    @Test func warningsAreAttributedToTheirFiles() {
        let log = """
            warning: /s/tool/lemon.c: no profile data available for function strhash Hash = 1 up to 0 count discarded [-Wbackend-plugin]
            warning: /s/tool/lemon.c: function control flow change detected (hash mismatch) main Hash = 2 up to 30 count discarded [-Wbackend-plugin]
            /s/sqlite3.c:10:1: warning: no profile data available for function f Hash = 3 [-Wbackend-plugin]
            """
        let byFile = CompilerDiagnostics.byFile(in: log)
        #expect(byFile["/s/tool/lemon.c"] == ["missing_functions": 1, "hash_mismatch": 1])
        #expect(byFile["/s/sqlite3.c"] == ["missing_functions": 1])
        #expect(CompilerDiagnostics.count(in: log)["missing_functions"] == 2)
    }
}

/// "missing functions" says which files they are in and whether the artifacts link them.
@Suite struct MissingFunctionsTests {
    @Test func missingFunctionsAreCountedAgainstTheArtifactsSymbols() {
        let log = """
            warning: /s/Modules/_csv.c: no profile data available for function PyInit__csv Hash = 7 up to 0 count discarded [-Wbackend-plugin]
            warning: /s/Modules/_csv.c: no profile data available for function dialect_new Hash = 1 up to 0 count discarded [-Wbackend-plugin]
            warning: /s/Objects/longobject.c: no profile data available for function long_rare Hash = 2 up to 0 count discarded [-Wbackend-plugin]
            warning: /s/Objects/longobject.c: no profile data available for function long_never_linked Hash = 3 up to 0 count discarded [-Wbackend-plugin]
            """
        let missing = CompilerDiagnostics.missingFunctions(in: log)
        #expect(missing == ["/s/Modules/_csv.c": ["PyInit__csv", "dialect_new"], "/s/Objects/longobject.c": ["long_rare", "long_never_linked"]])
        // A symbol's LTO suffix does not hide it.
        let account = MissingFunctions.account(missing: missing, symbols: ["long_rare.llvm.1234", "main"])
        #expect(account.map(\.file) == ["/s/Modules/_csv.c", "/s/Objects/longobject.c"])  // most first, then by name
        #expect(account.map(\.inArtifacts) == [0, 1])
        let summary = MissingFunctions.summary(account) ?? ""
        #expect(summary.hasPrefix("4 functions without profile data: 1 of them in the artifacts; 2 in 1 file(s) none of whose code is in an artifact"))
        #expect(summary.contains("_csv.c (2)"))
        #expect(MissingFunctions.summary([]) == nil)
    }
}
