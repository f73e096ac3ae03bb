import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// The tiny C project the probes build: a static library (so `ar` meets LTO objects) and a
/// program with a branchy hot loop, and its pipeline profile.
enum ProbeProject {
    static let main = """
        #include <stdio.h>
        #include <stdlib.h>
        int classify(int);
        static int weigh(int x) { return x % 3 == 0 ? x / 3 : x * 2 + 1; }
        int main(int argc, char **argv) {
            int n = argc > 1 ? atoi(argv[1]) : 1000;
            long sum = 0;
            for (int i = 0; i < n; i++) sum += classify(i) + weigh(i);
            printf("%ld\\n", sum);
            return 0;
        }
        """

    static let library = """
        int classify(int x) {
            if (x % 7 == 0) return 7;
            if (x % 5 == 0) return 5;
            return x & 1;
        }
        """

    static let makefile = """
        probe: main.o libprobe.a
        \t$(CC) $(CFLAGS) $(LDFLAGS) -o $@ main.o libprobe.a
        libprobe.a: lib.o
        \t$(AR) rcs $@ lib.o
        %.o: $(SRCDIR)/%.c
        \t$(CC) $(CFLAGS) -c -o $@ $<
        """

    static func write(in directory: String, family: CompilerFamily) throws -> PipelineProfile {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in [("main.c", main), ("lib.c", library), ("Makefile", makefile)] {
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        var build = BuildSettings()
        build.build = [["make", "-f", "{source}/Makefile", "SRCDIR={source}", "CC={cc}", "CFLAGS={cflags}", "LDFLAGS={ldflags}", "AR={ar}"]]
        build.artifacts = ["probe"]
        var train = TrainSettings()
        train.tasks = [TrainTask(name: "probe", run: ["{artifact:probe}", "5000"])]
        return PipelineProfile(
            name: "doctor-probe", file: directory + "/probe.toml", source: directory,
            toolchain: ToolchainSettings(compiler: family), build: build, instrument: InstrumentSettings(), train: train,
            optimize: OptimizeSettings(pgo: .ir, lto: .thin), bench: nil, baseline: BaselineSettings())
    }
}
