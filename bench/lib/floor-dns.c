// The DNS floor in C: what floor-dns.mjs does (one UDP socket on LISTEN_IP:53, every query
// answered with one fixed A record), without a runtime between the socket and the answer, so
// the floor's tail is the kernel's and the machine's wake-ups alone. floor-agent.mjs compiles it
// with the machine's cc when there is one and falls back to floor-dns.mjs otherwise.
//   nsenter --net=NS floor-dns LISTEN_IP ANSWER_IP      prints "ready" once bound
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(53) };
  struct in_addr answer;
  if (argc != 3 || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || inet_pton(AF_INET, argv[2], &answer) != 1) {
    fprintf(stderr, "usage: floor-dns LISTEN_IP ANSWER_IP\n");
    return 2;
  }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("floor-dns"); return 1; }
  puts("ready");
  fflush(stdout);
  unsigned char q[512], r[512 + 16];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&from, &len);
    if (n < 17) continue;
    // the question: QNAME labels, then QTYPE and QCLASS
    ssize_t end = 12;
    while (end < n && q[end] != 0) end += q[end] + 1;
    end += 5;
    if (end > n) continue;
    memcpy(r, q, end);
    r[2] = 0x84 | (q[2] & 0x01); // QR, AA, RD copied
    r[3] = 0x80;                 // RA, NOERROR
    const unsigned char counts[8] = { 0, 1, 0, 1, 0, 0, 0, 0 }; // QD 1, AN 1, NS 0, AR 0
    memcpy(r + 4, counts, 8);
    // answer: pointer to the question's name, A, IN, TTL 600 (Docker's), 4 bytes of address
    const unsigned char rr[12] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4 };
    memcpy(r + end, rr, 12);
    memcpy(r + end + 12, &answer, 4);
    sendto(s, r, end + 16, 0, (struct sockaddr *)&from, len);
  }
}
