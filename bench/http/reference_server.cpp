// A trivial HTTP/1.1 keep-alive server on Beast: the same threading as sentineld (one io_context,
// N threads, a strand per connection) and a handler that answers "ok". sentineld's /healthz is
// measured against it, so the ratio shows what routing, metrics, limits and logging cost.
//
// Usage: bench_http_reference PORT THREADS

#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

asio::awaitable<void> serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  buffer.reserve(16 << 10);  // as sentineld's sessions: a body in one read, not 512 bytes each
  for (;;) {
    http::request<http::string_body> request;
    auto [read_ec, n] =
        co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (read_ec) co_return;
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain");
    response.body() = "ok\n";
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [write_ec, m] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_ec || !request.keep_alive()) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, asio::io_context& io) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::make_strand(io), asio::use_awaitable);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_http_reference PORT THREADS\n";
    return 2;
  }
  const int threads = std::atoi(argv[2]);
  asio::io_context io(threads);
  tcp::acceptor acceptor(
      io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
  asio::co_spawn(io, listen(acceptor, io), asio::detached);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&] { io.run(); });
  io.run();
}
