// MPI job protocol: job = [type, index, n̂, λ...]; result = [index, ppl, short_ppl]; a failed
// job answers ppl = -1, short_ppl = its ErrorKind, then the error text (tag kTagError).
#include "mpi_evaluator.h"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <string>

#include "error.h"

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

  void evaluate(const std::vector<Individual>& batch, const OnResult& done) override {
    std::deque<size_t> queue;
    for (size_t i = 0; i < batch.size(); ++i) queue.push_back(i);
    int busy = 0;
    auto send = [&](int rank) {
      const size_t i = queue.front();
      queue.pop_front();
      std::vector<double> job = {kCandidate, static_cast<double>(i),
                                 static_cast<double>(batch[i].start_tokens)};
      job.insert(job.end(), batch[i].lambda.begin(), batch[i].lambda.end());
      MPI_Send(job.data(), static_cast<int>(job.size()), MPI_DOUBLE, rank, kTagJob, MPI_COMM_WORLD);
      ++busy;
    };
    for (int r = 1; r < size_ && !queue.empty(); ++r) send(r);
    while (busy > 0) {
      double res[3];
      MPI_Status st;
      MPI_Recv(res, 3, MPI_DOUBLE, MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &st);
      --busy;
      if (res[1] < 0) fail_from_worker(st.MPI_SOURCE, res[2]);
      done(static_cast<size_t>(res[0]), Fitness{res[1], res[2]});
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
    double res[3];
    MPI_Recv(res, 3, MPI_DOUBLE, 1, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
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

std::unique_ptr<Evaluator> make_mpi_evaluator(const MpiContext& ctx) {
  return std::make_unique<MpiEvaluator>(ctx);
}

void mpi_worker_loop(Evaluator& local, int half) {
  std::vector<double> job(3 + half + 8);
  for (;;) {
    MPI_Status st;
    MPI_Recv(job.data(), static_cast<int>(job.size()), MPI_DOUBLE, 0, kTagJob, MPI_COMM_WORLD, &st);
    const int type = static_cast<int>(job[0]);
    if (type == kStop) return;
    double res[3] = {job[1], -1.0, 0.0};
    std::string error;
    try {
      if (type == kCandidate) {
        Individual ind;
        ind.start_tokens = static_cast<int>(job[2]);
        ind.lambda.assign(job.begin() + 3, job.begin() + 3 + half);
        local.evaluate({ind}, [&](size_t, const Fitness& f) {
          res[1] = f.ppl;
          res[2] = f.short_ppl;
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
    if (!error.empty()) res[1] = -1.0;
    MPI_Send(res, 3, MPI_DOUBLE, 0, kTagResult, MPI_COMM_WORLD);
    if (!error.empty())
      MPI_Send(error.data(), static_cast<int>(error.size()), MPI_CHAR, 0, kTagError,
               MPI_COMM_WORLD);
  }
}

}  // namespace lr
