#include "cli_build.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "measure.h"

extern char** environ;

namespace esdb::bench {
namespace {

ProcessRun run_process(const std::vector<std::string>& args, const std::string& output) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  ProcessRun r;
  const double t0 = now_seconds();
  pid_t pid;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.seconds = now_seconds() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(args[0] + " failed");
  r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.output_bytes = disk_bytes(output);
  return r;
}

void keep_best(ProcessRun& best, const ProcessRun& r, int round) {
  if (round == 0 || r.seconds < best.seconds) best = r;
}

}  // namespace

EndToEnd measure_end_to_end(const std::string& tool, const std::vector<std::string>& inputs,
                            const std::vector<std::string>& build_flags, const std::string& dir, int rounds) {
  EndToEnd e;
  for (const std::string& in : inputs) {
    e.input_bytes += disk_bytes(in);
    warm(in);
  }
  const std::string out = dir + "/cli.esdb";
  for (int round = 0; round < rounds; ++round) {
    for (int threads : {0, 1}) {
      std::fprintf(stderr, "esdb_bench: esdb build --threads %d of the JSON lines (round %d of %d)\n", threads,
                   round + 1, rounds);
      std::vector<std::string> args{tool, "build", out, "--force", "-q", "--threads", std::to_string(threads)};
      args.insert(args.end(), inputs.begin(), inputs.end());
      args.insert(args.end(), build_flags.begin(), build_flags.end());
      keep_best(threads == 0 ? e.esdb : e.esdb_one, run_process(args, out), round);
      remove_all(out);
    }
    std::fprintf(stderr, "esdb_bench: zstd -1 -T1 of the JSON lines (round %d of %d)\n", round + 1, rounds);
    ProcessRun z;
    for (const std::string& in : inputs) {
      const std::string zout = dir + "/cli.zst";
      const ProcessRun one = run_process({"zstd", "-1", "-T1", "-q", "-f", in, "-o", zout}, zout);
      z.seconds += one.seconds;
      z.cpu_seconds += one.cpu_seconds;
      z.output_bytes += one.output_bytes;
      remove_all(zout);
    }
    keep_best(e.zstd, z, round);
  }
  return e;
}

void print_end_to_end(const EndToEnd& e) {
  std::printf("\n== end to end: esdb build of the JSON lines (%.1f MiB) beside zstd -1 -T1 of them\n",
              static_cast<double>(e.input_bytes) / (1 << 20));
  // No RSS column: posix_spawn's child shares the bench's pages until exec,
  // so its ru_maxrss counts the bench's dataset.
  std::printf("%-22s %8s %8s %10s %10s\n", "command", "wall_s", "cpu_s", "MB/s_in", "size_MiB");
  const auto row = [&](const char* name, const ProcessRun& r) {
    std::printf("%-22s %8.2f %8.2f %10.1f %10.1f\n", name, r.seconds, r.cpu_seconds,
                static_cast<double>(e.input_bytes) / 1e6 / r.seconds, static_cast<double>(r.output_bytes) / (1 << 20));
  };
  row("esdb build", e.esdb);
  row("esdb build --threads 1", e.esdb_one);
  row("zstd -1 -T1", e.zstd);
  std::printf("esdb build / zstd -1 -T1: %.2fx wall (goal <= 3), %.2fx with --threads 1; by CPU time %.2fx\n",
              e.esdb.seconds / e.zstd.seconds, e.esdb_one.seconds / e.zstd.seconds,
              e.esdb.cpu_seconds / e.zstd.cpu_seconds);
}

}  // namespace esdb::bench
