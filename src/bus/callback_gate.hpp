#pragma once
// Lets foreign threads (nats.c's) into an object's callbacks until the object closes the gate;
// closing waits for those already inside. nats.c does not call back once its connection is
// closed, except for a callback already under way: that one is what the gate waits out, so
// that nothing it uses (the strand, the session) goes away under it.

#include <atomic>

namespace sentinel::bus {

class CallbackGate {
 public:
  class Pass {
   public:
    explicit Pass(CallbackGate& gate) : gate_(gate) {
      gate_.inside_.fetch_add(1);
      open_ = !gate_.closed_.load();
    }
    ~Pass() {
      if (gate_.inside_.fetch_sub(1) == 1) gate_.inside_.notify_all();
    }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

    // False once the gate is closed: the callback must return without touching anything.
    explicit operator bool() const { return open_; }

   private:
    CallbackGate& gate_;
    bool open_ = false;
  };

  // Refuses new callbacks and waits for those inside to return.
  void close() {
    closed_ = true;
    for (int inside = inside_.load(); inside != 0; inside = inside_.load())
      inside_.wait(inside);
  }

 private:
  std::atomic<int> inside_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace sentinel::bus
