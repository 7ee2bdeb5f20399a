#pragma once
// Which network addresses a URL that a client supplied (a webhook endpoint) may reach. Such a
// URL must not become a way into the installation's own network (server-side request
// forgery): only public unicast addresses qualify. The check runs when the URL is registered
// (literal addresses) and again on every connection (what the name resolved to), so a DNS
// name that points inside cannot slip through.

#include <sys/socket.h>

#include <optional>
#include <string_view>

namespace bl {

// False for loopback, unspecified, private (10/8, 172.16/12, 192.168/16, fc00::/7), shared
// (100.64/10), link-local (169.254/16, fe80::/10), multicast, benchmarking, documentation and
// reserved ranges, and IPv4-mapped or NAT64 forms of those.
bool is_public_address(const sockaddr* address);

// For a host that is an IP literal ("10.0.0.1", "[::1]" or "::1"): whether it is public.
// nullopt when the host is a name.
std::optional<bool> is_public_ip_literal(std::string_view host);

}  // namespace bl
