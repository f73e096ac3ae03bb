import Testing
@testable import TemperCore

@Suite struct BenchTests {
    @Test func benchRunsAgainstThePublishedArtifacts() throws {
        let profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[bench]\nrun = [\"{artifact:app}\", \"{source}/in\"]\nenv = { K = \"{source}\" }\n")
        let workDir = WorkDir(root: "/w")
        #expect(try BenchRun.command(profile: profile, workDir: workDir, variant: .optimized)
            == Command(executable: "/w/out/app", arguments: ["/p/src/in"], environment: ["K": "/p/src"], workingDirectory: "/w/out"))
        #expect(try BenchRun.command(profile: profile, workDir: workDir, variant: .baseline).executable == "/w/out/baseline/app")
        #expect(throws: BenchError.noBench(file: "/p/profile.toml")) {
            try BenchRun.command(profile: try Fixtures.parse(Fixtures.minimalProfile), workDir: workDir, variant: .optimized)
        }
    }

    @Test func tableShowsChangeAgainstBaseline() {
        let table = BenchRun.render([
            .init(variant: .baseline, seconds: [1.0, 1.2, 1.1], medianSeconds: 1.1, instructions: 10_000_000_000),
            .init(variant: .optimized, seconds: [1.0, 1.0, 1.0], medianSeconds: 1.0, instructions: 9_000_000_000),
        ])
        #expect(table.contains("10000000000"))
        #expect(table.contains("(-10.0% instructions)"))
        #expect(table.contains("(1.10x wall)"))
    }
}
