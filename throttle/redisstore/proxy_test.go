package redisstore_test

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy forwards TCP connections from a loopback port to Redis, and can be
// cut or stalled, so that a test sees a Redis that worked stop answering
// mid-run without stopping the Redis that other tests share.
type proxy struct {
	ln      net.Listener
	target  string
	stalled atomic.Bool

	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

// startProxy listens on a free loopback port and forwards to target.
func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.Cut)
	return p
}

// Addr is where clients connect.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes the port and every connection through it: new connections
// are refused and open ones fail.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil || !p.track(in, out) {
			in.Close()
			if out != nil {
				out.Close()
			}
			continue
		}
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

// track records a connection pair, unless the proxy has been cut.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns = append(p.conns, conns...)
	return true
}

// Stall keeps every connection open but forwards nothing more, like a
// Redis that hangs: commands are read and dropped, and no reply comes.
func (p *proxy) Stall() { p.stalled.Store(true) }

// pipe copies from src to dst, dropping the data while the proxy is
// stalled, until either side closes; then it closes both.
func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.stalled.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}
