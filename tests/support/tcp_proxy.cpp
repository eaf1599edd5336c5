#include "support/tcp_proxy.hpp"

#include <array>
#include <future>
#include <set>
#include <string_view>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sentinel::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// One proxied connection: the client's socket and the backend's.
struct Link {
  explicit Link(asio::io_context& io)
      : client(io), backend(io), released(io, asio::steady_timer::time_point::max()) {}
  void close() {
    boost::system::error_code ignored;
    client.close(ignored);
    backend.close(ignored);
    holding_replies = false;
    released.cancel();
  }
  tcp::socket client;
  tcp::socket backend;
  bool sent_loss_marker = false;  // the bytes `after` of the armed lose_reply() went through
  bool losing_reply = false;      // the backend's next bytes end the link instead
  bool holding_replies = false;   // the backend's bytes wait for `released`
  asio::steady_timer released;    // cancelled by release()
};

}  // namespace

// Everything here is touched only from the proxy's own thread, except through post().
struct TcpProxy::State {
  explicit State(std::vector<std::uint16_t> ports)
      : backends(std::move(ports)), acceptor(io, {asio::ip::address_v4::loopback(), 0}) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto link = std::make_shared<Link>(io);
      boost::system::error_code error;
      co_await acceptor.async_accept(link->client,
                                     asio::redirect_error(asio::use_awaitable, error));
      if (error == asio::error::operation_aborted) co_return;
      if (error) continue;
      if (is_cut) {
        link->close();
        continue;
      }
      asio::co_spawn(io, connect(std::move(link)), asio::detached);
    }
  }

  // Tries the backends in turn from the next one, so that a dead backend costs one refused
  // connect, not the client's connection.
  asio::awaitable<void> connect(std::shared_ptr<Link> link) {
    for (std::size_t tried = 0; tried < backends.size(); ++tried) {
      const auto port = backends[next++ % backends.size()];
      boost::system::error_code error;
      co_await link->backend.async_connect({asio::ip::address_v4::loopback(), port},
                                           asio::redirect_error(asio::use_awaitable, error));
      if (!error && !is_cut) {
        links.insert(link);
        asio::co_spawn(io, pipe(link, link->client, link->backend), asio::detached);
        asio::co_spawn(io, pipe(link, link->backend, link->client), asio::detached);
        co_return;
      }
      link->backend.close(error);
    }
    link->close();
  }

  // Copies one direction until either side ends, then ends the whole link. When the client's
  // bytes spring the trap of lose_reply(), the backend's reply to them ends the link instead of
  // reaching the client: the server has acted on them by then.
  asio::awaitable<void> pipe(std::shared_ptr<Link> link, tcp::socket& from, tcp::socket& to) {
    std::array<char, 16 * 1024> buffer;
    boost::system::error_code error;
    while (!error) {
      const auto size = co_await from.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
      if (error) break;
      if (&from == &link->client && springs_loss(*link, {buffer.data(), size}))
        link->losing_reply = true;
      else if (&from == &link->backend && link->losing_reply)
        break;
      if (&from == &link->client && springs_hold(std::string_view(buffer.data(), size)))
        link->holding_replies = true;
      while (&from == &link->backend && link->holding_replies) {
        boost::system::error_code cancelled;
        co_await link->released.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
      }
      co_await asio::async_write(to, asio::buffer(buffer.data(), size),
                                 asio::redirect_error(asio::use_awaitable, error));
    }
    link->close();
    links.erase(link);
  }

  // The client's bytes that spring the trap of lose_reply().
  bool springs_loss(Link& link, std::string_view bytes) {
    if (loss_trigger.empty()) return false;
    link.sent_loss_marker = link.sent_loss_marker || bytes.find(loss_after) != bytes.npos;
    if (!link.sent_loss_marker || bytes.find(loss_trigger) == bytes.npos) return false;
    loss_trigger.clear();
    return true;
  }

  // The client's bytes that arm the hold of replies (hold_replies_after).
  bool springs_hold(std::string_view bytes) {
    if (hold_marker.empty() || bytes.find(hold_marker) == bytes.npos) return false;
    hold_marker.clear();
    return true;
  }

  // Runs `work` on the proxy's thread and waits for it.
  void run(std::function<void()> work) {
    std::promise<void> done;
    asio::post(io, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }

  asio::io_context io;
  std::vector<std::uint16_t> backends;
  std::size_t next = 0;
  bool is_cut = false;
  std::string loss_trigger;  // the armed lose_reply(), if not empty
  std::string loss_after;
  std::string hold_marker;  // the armed hold of replies, if not empty
  std::set<std::shared_ptr<Link>> links;
  tcp::acceptor acceptor;
  std::thread thread;
};

TcpProxy::TcpProxy(std::vector<std::uint16_t> backend_ports)
    : state_(std::make_shared<State>(std::move(backend_ports))) {
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

TcpProxy::~TcpProxy() {
  state_->io.stop();
  state_->thread.join();
}

std::uint16_t TcpProxy::port() const {
  return state_->acceptor.local_endpoint().port();
}

void TcpProxy::cut() {
  state_->run([state = state_.get()] {
    state->is_cut = true;
    for (const auto& link : state->links)
      link->close();
    state->links.clear();
  });
}

void TcpProxy::restore() {
  state_->run([state = state_.get()] { state->is_cut = false; });
}

void TcpProxy::lose_reply(std::string trigger, std::string after) {
  state_->run([state = state_.get(), &trigger, &after] {
    state->loss_trigger = std::move(trigger);
    state->loss_after = std::move(after);
    for (const auto& link : state->links)
      link->sent_loss_marker = false;
  });
}

void TcpProxy::hold_replies_after(std::string marker) {
  state_->run([state = state_.get(), &marker] { state->hold_marker = std::move(marker); });
}

bool TcpProxy::holding() const {
  bool any = false;
  state_->run([state = state_.get(), &any] {
    for (const auto& link : state->links)
      any = any || link->holding_replies;
  });
  return any;
}

void TcpProxy::release() {
  state_->run([state = state_.get()] {
    for (const auto& link : state->links) {
      link->holding_replies = false;
      link->released.cancel();
    }
  });
}

}  // namespace sentinel::test
