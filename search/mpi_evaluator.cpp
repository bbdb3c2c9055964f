// MPI job protocol: job = [type, index, n̂, λ..., race items n, z, σ, reference NLL × n];
// result = [index, ppl, short_ppl, rejected, tokens, items scored m, NLL × m]; a failed job
// answers ppl = -1, short_ppl = its ErrorKind, then the error text (tag kTagError).
#include "search/mpi_evaluator.h"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace lr {

namespace {
enum JobType { kCandidate = 0, kScaling = 1, kStop = 2 };
constexpr int kTagJob = 1, kTagResult = 2, kTagError = 3;

// After a failed result from `rank`: receives its error text and throws it on rank 0.
[[noreturn]] void fail_from_worker(int rank, double kind) {
  MPI_Status st;
  MPI_Probe(rank, kTagError, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_CHAR, &n);
  std::string text(static_cast<size_t>(std::max(n, 0)), '\0');
  MPI_Recv(text.data(), n, MPI_CHAR, rank, kTagError, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  const int k = static_cast<int>(kind);
  const ErrorKind ek = k >= 0 && k <= static_cast<int>(ErrorKind::Data) ? static_cast<ErrorKind>(k)
                                                                        : ErrorKind::Data;
  fail(ek, "search: MPI rank " + std::to_string(rank) + ": " + text);
}

// A message of doubles of any length from `source` (tag kTagResult or kTagJob).
std::vector<double> receive(int source, int tag, MPI_Status* status) {
  MPI_Status st;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_DOUBLE, &n);
  std::vector<double> v(static_cast<size_t>(std::max(n, 0)));
  MPI_Recv(v.data(), n, MPI_DOUBLE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (status) *status = st;
  return v;
}

void finalize_at_exit() {
  int fin = 0;
  MPI_Finalized(&fin);
  if (!fin) MPI_Finalize();
}

class MpiEvaluator : public Evaluator {
 public:
  explicit MpiEvaluator(const MpiContext& c) : size_(c.size) {}
  ~MpiEvaluator() override {
    std::vector<double> stop = {kStop};
    for (int r = 1; r < size_; ++r)
      MPI_Send(stop.data(), 1, MPI_DOUBLE, r, kTagJob, MPI_COMM_WORLD);
  }

  void evaluate(const std::vector<Individual>& batch, const Race& race,
                const OnResult& done) override {
    std::deque<size_t> queue;
    for (size_t i = 0; i < batch.size(); ++i) queue.push_back(i);
    int busy = 0;
    auto send = [&](int rank) {
      const size_t i = queue.front();
      queue.pop_front();
      std::vector<double> job = {kCandidate, static_cast<double>(i),
                                 static_cast<double>(batch[i].start_tokens), batch[i].mscale};
      job.insert(job.end(), batch[i].lambda.begin(), batch[i].lambda.end());
      job.insert(job.end(), {static_cast<double>(race.ref.size()), race.z, race.sigma});
      job.insert(job.end(), race.ref.begin(), race.ref.end());
      MPI_Send(job.data(), static_cast<int>(job.size()), MPI_DOUBLE, rank, kTagJob, MPI_COMM_WORLD);
      ++busy;
    };
    for (int r = 1; r < size_ && !queue.empty(); ++r) send(r);
    while (busy > 0) {
      MPI_Status st;
      const std::vector<double> res = receive(MPI_ANY_SOURCE, kTagResult, &st);
      --busy;
      if (res.size() >= 3 && res[1] < 0) fail_from_worker(st.MPI_SOURCE, res[2]);
      if (res.size() < 6 || res.size() != 6 + static_cast<size_t>(res[5]))
        fail(ErrorKind::Data,
             "search: MPI rank " + std::to_string(st.MPI_SOURCE) + " sent a malformed result");
      Fitness f;
      f.ppl = res[1];
      f.short_ppl = res[2];
      f.rejected = res[3] != 0;
      f.tokens = static_cast<long>(res[4]);
      f.item_nll.assign(res.begin() + 6, res.end());
      done(static_cast<size_t>(res[0]), f);
      if (!queue.empty()) send(st.MPI_SOURCE);
    }
  }

  double evaluate_scaling(const RopeScaling& r) override {
    std::vector<double> job = {kScaling,
                               0,
                               static_cast<double>(r.kind),
                               r.factor,
                               static_cast<double>(r.original_max_position),
                               r.beta_fast,
                               r.beta_slow};
    MPI_Send(job.data(), static_cast<int>(job.size()), MPI_DOUBLE, 1, kTagJob, MPI_COMM_WORLD);
    const std::vector<double> res = receive(1, kTagResult, nullptr);
    if (res.size() < 3) fail(ErrorKind::Data, "search: MPI rank 1 sent a malformed result");
    if (res[1] < 0) fail_from_worker(1, res[2]);
    return res[1];
  }

 private:
  int size_;
};

}  // namespace

MpiContext& mpi_init_if_launched(int* argc, char*** argv) {
  static MpiContext ctx;
  if (ctx.active) return ctx;
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE") && !std::getenv("PMIX_RANK"))
    return ctx;
  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &ctx.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ctx.size);
  ctx.active = true;
  std::atexit(finalize_at_exit);
  return ctx;
}

void mpi_abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void mpi_check_numerics(const MpiContext& ctx, const std::string& signature,
                        const std::string& kernel_path) {
  constexpr int kLen = 512;  // signature + '|' + path, zero padded
  const std::string mine = (signature + "|" + kernel_path).substr(0, kLen - 1);
  std::vector<char> send(kLen, 0), all(ctx.rank == 0 ? static_cast<size_t>(kLen) * ctx.size : 0);
  std::copy(mine.begin(), mine.end(), send.begin());
  MPI_Gather(send.data(), kLen, MPI_CHAR, all.data(), kLen, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (ctx.rank != 0) return;
  for (int r = 1; r < ctx.size; ++r) {
    const std::string theirs(all.data() + static_cast<size_t>(r) * kLen);
    const auto bar = theirs.rfind('|');
    if (theirs.substr(0, bar) != signature)
      fail(ErrorKind::Unsupported,
           "search: rank " + std::to_string(r) + " computes with different numerics (" +
               theirs.substr(0, bar) + ", kernels " + theirs.substr(bar + 1) + ") than rank 0 (" +
               signature + ", kernels " + kernel_path +
               "): its perplexities would not be comparable; build every rank the same way "
               "(see docs/kernels.md, \"Search archives and MPI\")");
  }
}

std::unique_ptr<Evaluator> make_mpi_evaluator(const MpiContext& ctx) {
  return std::make_unique<MpiEvaluator>(ctx);
}

void mpi_worker_loop(Evaluator& local, int half) {
  for (;;) {
    const std::vector<double> job = receive(0, kTagJob, nullptr);
    const int type = job.empty() ? kStop : static_cast<int>(job[0]);
    if (type == kStop) return;
    std::vector<double> res = {job.size() > 1 ? job[1] : 0.0, -1.0, 0.0};
    std::string error;
    try {
      const size_t head = 4 + static_cast<size_t>(half);
      if (type == kCandidate) {
        if (job.size() < head + 3 || job.size() != head + 3 + static_cast<size_t>(job[head]))
          fail(ErrorKind::Data, "malformed job from rank 0");
        Individual ind;
        ind.start_tokens = static_cast<int>(job[2]);
        ind.mscale = job[3];
        ind.lambda.assign(job.begin() + 4, job.begin() + head);
        Race race;
        race.z = job[head + 1];
        race.sigma = job[head + 2];
        race.ref.assign(job.begin() + head + 3, job.end());
        local.evaluate({ind}, race, [&](size_t, const Fitness& f) {
          res = {job[1],
                 f.ppl,
                 f.short_ppl,
                 f.rejected ? 1.0 : 0.0,
                 static_cast<double>(f.tokens),
                 static_cast<double>(f.item_nll.size())};
          res.insert(res.end(), f.item_nll.begin(), f.item_nll.end());
        });
      } else {
        RopeScaling r;
        r.kind = static_cast<RopeKind>(static_cast<int>(job[2]));
        r.factor = job[3];
        r.original_max_position = static_cast<int>(job[4]);
        r.beta_fast = job[5];
        r.beta_slow = job[6];
        res[1] = local.evaluate_scaling(r);
      }
    } catch (const Error& e) {  // rank 0 reports it, with this text
      error = e.what();
      res[2] = static_cast<double>(e.kind());
    } catch (const std::exception& e) {
      error = e.what();
      res[2] = static_cast<double>(ErrorKind::Data);
    }
    if (!error.empty()) res = {res[0], -1.0, res[2]};
    MPI_Send(res.data(), static_cast<int>(res.size()), MPI_DOUBLE, 0, kTagResult, MPI_COMM_WORLD);
    if (!error.empty())
      MPI_Send(error.data(), static_cast<int>(error.size()), MPI_CHAR, 0, kTagError,
               MPI_COMM_WORLD);
  }
}

}  // namespace lr
