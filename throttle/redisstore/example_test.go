package redisstore_test

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/fhirguard/fhirguard/throttle"
	"github.com/fhirguard/fhirguard/throttle/redisstore"
)

// Every replica of the server builds its limiter on the same Redis, so the
// fleet spends one budget per client. (This example needs a Redis server,
// so it is compiled but not run; the tests run the same flow against a
// real one.)
func Example() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	store, err := redisstore.New(redisstore.Config{Client: client})
	if err != nil {
		log.Fatal(err)
	}
	j, err := throttle.LoadFile("justification.yaml")
	if err != nil {
		log.Fatal(err)
	}
	lim, err := throttle.New(j, throttle.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	fhir := http.NotFoundHandler() // the FHIR server's own handler
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", lim.Handler(fhir)))
}
