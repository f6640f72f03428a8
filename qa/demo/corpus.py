"""Text for generate_demo_data: CS interview topics the way Korean study groups write them."""

MEMBER_NAMES = [
    "클로이",
    "bee",
    "choi",
    "sky",
    "하늘",
    "민지",
    "지훈",
    "서연",
    "도윤",
    "하린",
    "준호",
    "유나",
    "태오",
    "소라",
    "다은",
    "현우",
    "보람",
    "예린",
    "승민",
    "나래",
    "우진",
    "지아",
    "한결",
    "jay",
    "mango",
    "dev_kim",
    "yoon",
    "leo",
    "hana_p",
    "coffee",
    "minsu99",
    "nova",
    "tori",
    "park_dev",
    "sol",
    "rain",
    "owl",
    "kevin",
    "jiwoo_lee",
    "byte",
]

TOPICS = [
    {
        "slug": "load-balancing",
        "title": "로드 밸런싱",
        "questions": [
            "로드 밸런싱이 필요한 이유에 대해서 설명하시오",
            "L4 Load Balancing과 L7 Load Balancing의 차이는 무엇인가?",
            "VIP(Virtual IP)와 로드밸런서 이중화(Active-Standby)는 어떻게 동작하나요?",
            "Round Robin, Least Connection, IP Hash 알고리즘은 각각 어떤 상황에 적합한가?",
            "Why do we need load balancing, and what happens when one backend server goes down?",
            "How does sticky session work in an L7 load balancer, and what are its drawbacks?",
        ],
        "headings": [
            "로드밸런싱이 필요한 이유",
            "L4 vs L7 Load Balancer",
            "부하 분산 알고리즘",
            "Health Check와 이중화",
        ],
        "paragraphs": [
            "로드밸런싱은 여러 대의 서버에 들어오는 요청을 골고루 나누어 특정 서버에 트래픽이 몰리지 않도록 하는 기술이다. 단일 서버로는 처리량에 한계가 있기 때문에 서버를 수평 확장(Scale-out)하게 되는데, 이때 클라이언트는 개별 서버의 주소를 알 필요 없이 로드밸런서의 주소 하나로 접근하면 된다. 결과적으로 확장성, 가용성, 응답 속도를 함께 개선할 수 있다.",
            "L4 로드밸런싱은 전송 계층 정보인 IP 주소와 TCP/UDP 포트 번호만 보고 목적지 서버를 결정한다. 패킷 내용을 해석하지 않기 때문에 빠르고, 하드웨어 장비나 커널 수준(LVS, IPVS)에서 구현하기 쉽다. 대신 URL이나 쿠키처럼 애플리케이션 계층의 정보를 기준으로 분기할 수 없고, TLS 종료(termination) 같은 기능도 제공하지 않는 경우가 많다.",
            "L7 로드밸런서는 HTTP 헤더, URL 경로, 쿠키, Host 값 등 응용 계층 데이터를 해석해서 요청을 라우팅한다. 예를 들어 /api 요청은 API 서버 그룹으로, /static 요청은 정적 파일 서버로 보내는 식의 content-based routing이 가능하다. nginx, HAProxy, AWS ALB가 대표적이며, 클라이언트 연결을 한 번 종료하고 백엔드와 새로 연결하므로 L4보다 리소스를 더 사용한다.",
            "대표적인 부하 분산 알고리즘으로는 요청을 순서대로 돌려주는 Round Robin, 서버 성능에 따라 가중치를 주는 Weighted Round Robin, 현재 연결 수가 가장 적은 서버를 고르는 Least Connection, 클라이언트 IP를 해싱해서 항상 같은 서버로 보내는 IP Hash가 있다. 요청마다 처리 시간이 크게 다르다면 Least Connection이 Round Robin보다 유리하다.",
            "로드밸런서는 주기적으로 Health Check를 보내 각 서버가 정상인지 확인한다. TCP 연결만 확인하는 방식도 있고 /health 같은 HTTP 엔드포인트가 200을 반환하는지 보는 방식도 있다. 장애가 감지된 서버는 풀에서 자동으로 제외되고, 복구되면 다시 포함되기 때문에 사용자는 개별 서버 장애를 거의 느끼지 못한다.",
            "로드밸런서 자체가 단일 장애점(SPOF)이 되지 않도록 보통 Active-Standby 구성으로 이중화한다. 두 장비가 VRRP 같은 프로토콜로 하나의 VIP(Virtual IP)를 공유하고, Active 장비가 죽으면 Standby가 VIP를 넘겨받는다. 클라이언트 입장에서는 IP가 바뀌지 않으므로 로드밸런싱 계층의 장애도 투명하게 처리된다.",
            "세션을 서버 메모리에 저장하는 애플리케이션은 같은 사용자의 요청이 항상 같은 서버로 가야 하므로 sticky session(session affinity)을 사용한다. 하지만 특정 서버에 사용자가 몰리면 부하가 불균형해지고, 서버가 죽으면 세션도 함께 사라진다. 그래서 요즘은 Redis 같은 외부 세션 저장소를 두고 서버를 stateless하게 만드는 방식을 선호한다.",
            "실무에서는 로드밸런싱이 여러 계층에 걸쳐 이루어진다. DNS 기반 GSLB가 리전 단위로 트래픽을 나누고, 그 안에서 L4 로드밸런서가 TCP 연결을 분산하며, 다시 L7 프록시가 경로별로 요청을 라우팅한다. 이런 구조를 이해하면 장애가 났을 때 어느 계층부터 확인해야 할지 판단하기 쉬워진다.",
        ],
        "bullets": [
            "확장성: 서버를 추가하는 것만으로 처리량을 늘릴 수 있다",
            "가용성: 장애 서버를 Health Check로 자동 제외한다",
            "L4는 IP와 Port, L7은 URL, Header, Cookie를 기준으로 분배한다",
            "Round Robin은 서버 성능이 비슷하고 요청 처리 시간이 균일할 때 적합하다",
            "Least Connection은 커넥션 유지 시간이 긴 서비스에 유리하다",
            "IP Hash는 별도 세션 저장소 없이 세션 유지가 필요할 때 사용한다",
            "로드밸런서 자체도 VRRP와 VIP로 이중화해야 SPOF를 피할 수 있다",
            "TLS termination을 L7 로드밸런서에서 처리하면 백엔드의 암호화 부담이 줄어든다",
        ],
        "table": {
            "header": ["구분", "L4 로드밸런서", "L7 로드밸런서"],
            "rows": [
                ["동작 계층", "전송 계층 (TCP, UDP)", "응용 계층 (HTTP)"],
                ["분배 기준", "IP 주소, 포트 번호", "URL, 헤더, 쿠키"],
                ["성능", "빠름, 패킷 단위 처리", "상대적으로 느림, 내용 해석 필요"],
                ["대표 예시", "LVS, AWS NLB", "nginx, HAProxy, AWS ALB"],
            ],
        },
        "code": {
            "language": "nginx",
            "source": r"""upstream backend {
    least_conn;
    server 10.0.0.11:8080 weight=3;
    server 10.0.0.12:8080;
    server 10.0.0.13:8080 backup;
}

server {
    listen 80;
    server_name studyboard.example.com;

    location /api/ {
        proxy_pass http://backend;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}""",
        },
        "sources": [
            ("Load balancing (computing) - Wikipedia", "https://en.wikipedia.org/wiki/Load_balancing_(computing)"),
            ("Using nginx as HTTP load balancer", "https://nginx.org/en/docs/http/load_balancing.html"),
            ("L4 vs L7 Load Balancers", "https://medium.com/@crazy_nuclei/l4-vs-l7-load-balancers-64e47610e2ef"),
        ],
    },
    {
        "slug": "blocking-async",
        "title": "블로킹과 비동기 I/O",
        "questions": [
            "blocking과 synchronous는 동일한 것인가? 그렇지 않다면 그 이유에 대해서 설명하라.",
            "Non-blocking I/O의 처리 과정은 어떻게 되나요?",
            "Async Non-blocking 시스템에서 Block이 생기는 경우는 무엇이 있을까요?",
            "Blocking I/O가 리소스를 낭비하는 이유는 무엇인가요?",
            "What is the difference between blocking/non-blocking and synchronous/asynchronous?",
            "How does an event loop like Node.js handle thousands of concurrent connections without blocking?",
        ],
        "headings": [
            "Blocking vs Non-blocking",
            "Synchronous vs Asynchronous",
            "4가지 조합과 실제 사례",
            "Event Loop와 I/O Multiplexing",
        ],
        "paragraphs": [
            "Blocking과 Non-blocking은 호출된 함수가 제어권을 언제 돌려주느냐에 대한 구분이다. Blocking 호출은 작업이 끝날 때까지 제어권을 반환하지 않아 호출한 쪽이 기다려야 하고, Non-blocking 호출은 작업 완료 여부와 상관없이 즉시 제어권을 돌려준다. 즉 관심사는 '호출한 스레드가 멈추는가'이다.",
            "Synchronous와 Asynchronous는 작업의 완료를 누가, 어떻게 신경 쓰느냐에 대한 구분이다. 동기 방식은 호출한 쪽이 결과를 직접 확인하고 작업 순서를 맞추며, 비동기 방식은 호출한 쪽이 결과를 기다리지 않고 콜백, Promise, 이벤트 등으로 완료 통지를 받는다. 그래서 blocking과 synchronous는 자주 함께 쓰이지만 같은 개념은 아니다.",
            "두 축을 조합하면 네 가지 경우가 나온다. Sync-Blocking은 일반적인 read() 호출처럼 끝날 때까지 기다리는 방식이고, Sync-Non-blocking은 O_NONBLOCK 소켓을 반복해서 polling하는 방식이다. Async-Non-blocking은 Node.js의 fs.readFile처럼 즉시 반환하고 콜백으로 결과를 받는 방식이며, Async-Blocking은 비동기 API를 쓰면서도 내부에서 blocking 호출이 섞여 결국 기다리게 되는 비효율적인 경우다.",
            "Blocking I/O가 리소스를 낭비한다고 하는 이유는 I/O를 기다리는 동안 스레드가 아무 일도 하지 않으면서 스택 메모리와 커널 자원을 점유하기 때문이다. 동시 접속이 수천 개라면 스레드도 수천 개가 필요하고, 그만큼 context switching 비용과 메모리 사용량이 커진다. 이 문제를 흔히 C10K 문제라고 부른다.",
            "Non-blocking I/O는 보통 I/O Multiplexing과 함께 쓰인다. 리눅스의 epoll, BSD의 kqueue 같은 시스템 콜은 여러 소켓 중 읽거나 쓸 준비가 된 것만 알려주기 때문에, 하나의 스레드가 많은 연결을 감시하다가 준비된 소켓만 처리할 수 있다. nginx와 Redis가 적은 수의 스레드로 높은 처리량을 내는 이유가 바로 이것이다.",
            "Node.js나 Python asyncio의 event loop는 단일 스레드에서 준비된 이벤트를 하나씩 꺼내 콜백이나 코루틴을 실행한다. 이 구조에서는 CPU를 오래 쓰는 작업이나 time.sleep 같은 blocking 호출이 들어가면 루프 전체가 멈추므로 다른 요청도 모두 지연된다. 따라서 무거운 작업은 worker thread나 별도 프로세스로 넘겨야 한다.",
            "Async Non-blocking 시스템에서도 Block은 생길 수 있다. 대표적으로 JDBC처럼 blocking 방식으로만 제공되는 DB 드라이버를 호출하는 경우, 동기 파일 I/O를 사용하는 경우, 큰 JSON을 파싱하는 등 CPU 바운드 작업을 이벤트 루프에서 직접 처리하는 경우가 있다. Spring WebFlux에서 blocking 라이브러리를 섞어 쓰면 오히려 성능이 나빠지는 이유도 같다.",
            "실제 사례로 보면 웹 브라우저의 fetch 호출은 Async-Non-blocking, 전통적인 서블릿의 JDBC 쿼리는 Sync-Blocking이다. 카페에서 진동벨을 받고 자리에 앉아 있는 것은 비동기 논블로킹, 카운터 앞에서 계속 '나왔나요?' 하고 묻는 것은 동기 논블로킹에 비유할 수 있다. 면접에서는 이런 비유와 함께 제어권과 완료 통지라는 두 기준을 명확히 말하는 것이 중요하다.",
        ],
        "bullets": [
            "Blocking/Non-blocking: 제어권을 바로 돌려주는가의 문제",
            "Sync/Async: 작업 완료를 호출자가 직접 확인하는가의 문제",
            "Sync-Blocking 예시: Java의 InputStream.read()",
            "Sync-Non-blocking 예시: O_NONBLOCK 소켓을 반복 polling",
            "Async-Non-blocking 예시: Node.js fs.readFile 콜백, JavaScript fetch",
            "epoll과 kqueue는 준비된 file descriptor만 알려주는 I/O Multiplexing 도구다",
            "이벤트 루프에서 CPU 바운드 작업을 실행하면 전체 요청이 지연된다",
            "C10K 문제는 스레드 기반 Blocking I/O의 한계를 보여준다",
        ],
        "table": {
            "header": ["구분", "Blocking", "Non-blocking"],
            "rows": [
                ["Synchronous", "read() 호출 후 데이터가 올 때까지 대기", "결과가 준비됐는지 반복해서 polling"],
                ["Asynchronous", "비동기 API 안에서 blocking 호출이 섞인 경우", "즉시 반환 후 콜백이나 이벤트로 완료 통지"],
                ["대표 사례", "JDBC 쿼리, 전통적인 서블릿", "Node.js, Netty, nginx"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import asyncio
import time


async def fetch(name: str, delay: float) -> str:
    await asyncio.sleep(delay)  # non-blocking: 이벤트 루프에 제어권 반환
    return f"{name} done after {delay}s"


async def main() -> None:
    started = time.perf_counter()
    results = await asyncio.gather(
        fetch("db", 1.0),
        fetch("cache", 0.2),
        fetch("api", 0.7),
    )
    print(results)
    print(f"elapsed: {time.perf_counter() - started:.2f}s")  # 약 1초

asyncio.run(main())""",
        },
        "sources": [
            ("asyncio - Asynchronous I/O (Python docs)", "https://docs.python.org/3/library/asyncio.html"),
            ("Boost application performance using asynchronous I/O", "https://developer.ibm.com/articles/l-async/"),
            ("The Node.js Event Loop", "https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick"),
        ],
    },
    {
        "slug": "osi-7-layers",
        "title": "OSI 7계층",
        "questions": [
            "OSI 7계층에서 소프트웨어가 담당하는 응용-표현-세션-전송-네트워크 역할을 간단히 서술하시오",
            "OSI 7계층과 TCP/IP 4계층은 어떻게 대응되나요?",
            "스위치, 라우터, 허브는 각각 몇 계층 장비인가?",
            "캡슐화(Encapsulation)와 PDU의 이름이 계층별로 어떻게 바뀌는지 설명하시오",
            "Why is the network stack divided into layers in the OSI model?",
            "At which OSI layer does TCP operate, and what does it add to an IP packet?",
        ],
        "headings": [
            "OSI 7계층을 나누는 이유",
            "계층별 역할과 PDU",
            "TCP/IP 4계층과의 비교",
            "계층별 대표 장비와 프로토콜",
        ],
        "paragraphs": [
            "OSI 7계층은 ISO에서 정의한 네트워크 통신의 참조 모델로, 통신 과정을 물리, 데이터 링크, 네트워크, 전송, 세션, 표현, 응용의 7단계로 나눈다. 계층을 나누면 각 계층이 자기 역할에만 집중할 수 있고, 특정 계층에 문제가 생겼을 때 그 계층만 확인하면 되므로 설계와 트러블슈팅이 쉬워진다.",
            "물리 계층(Physical Layer)은 0과 1의 비트를 전기 신호나 빛으로 바꿔 케이블로 전송한다. 데이터 링크 계층(Data Link Layer)은 같은 네트워크 안에서 MAC 주소를 기반으로 프레임을 전달하고, 오류 검출과 흐름 제어를 담당한다. 이더넷과 Wi-Fi가 이 두 계층에 걸쳐 있으며, 스위치는 MAC 주소 테이블을 이용하는 대표적인 L2 장비다.",
            "네트워크 계층(Network Layer)은 서로 다른 네트워크 사이에서 IP 주소를 기반으로 패킷의 경로를 결정한다. 라우터가 라우팅 테이블을 보고 다음 목적지를 정하는 것이 이 계층의 일이다. 전송 계층(Transport Layer)은 TCP와 UDP가 속한 계층으로, 포트 번호로 프로세스를 구분하고 TCP의 경우 순서 보장, 재전송, 흐름 제어, 혼잡 제어를 제공한다.",
            "세션 계층(Session Layer)은 통신하는 양쪽 사이의 연결(세션)을 설정하고 유지하며 종료하는 역할을 한다. 표현 계층(Presentation Layer)은 데이터의 형식을 변환하는 곳으로, 문자 인코딩, 압축, 암호화와 복호화가 여기에 해당한다. 실제 인터넷 환경에서는 이 두 계층의 기능이 대부분 애플리케이션이나 TLS 라이브러리 안에 녹아 있다.",
            "응용 계층(Application Layer)은 사용자와 가장 가까운 계층으로 HTTP, DNS, SMTP, FTP 같은 프로토콜이 동작한다. 브라우저나 이메일 클라이언트가 이 계층의 프로토콜을 사용해 서비스를 제공한다. 면접에서는 각 계층의 역할을 한 줄로 말하고 대표 프로토콜이나 장비를 하나씩 예로 드는 정도면 충분한 경우가 많다.",
            "데이터가 위 계층에서 아래 계층으로 내려갈 때마다 각 계층의 헤더가 붙는 것을 캡슐화(Encapsulation)라고 한다. 계층별 데이터 단위(PDU)는 전송 계층에서 세그먼트(TCP) 또는 데이터그램(UDP), 네트워크 계층에서 패킷, 데이터 링크 계층에서 프레임, 물리 계층에서 비트로 부른다. 수신 측에서는 반대로 헤더를 하나씩 벗기는 역캡슐화가 일어난다.",
            "실제 인터넷은 OSI 모델보다 단순한 TCP/IP 4계층 모델로 동작한다. 네트워크 인터페이스, 인터넷, 전송, 응용 계층으로 구성되며 OSI의 응용, 표현, 세션 계층이 TCP/IP의 응용 계층 하나로 합쳐진다. OSI는 개념을 설명하는 참조 모델, TCP/IP는 실제 구현에 가까운 모델이라고 정리하면 된다.",
            "로드밸런서를 L4, L7으로 부르는 것도 OSI 계층에서 온 표현이다. L4 장비는 전송 계층의 IP와 포트까지만 보고, L7 장비는 응용 계층의 HTTP 내용까지 해석한다. 이처럼 OSI 모델은 오래된 이론처럼 보여도 장비의 역할이나 보안 정책 범위를 설명할 때 여전히 공통 언어로 쓰인다.",
        ],
        "bullets": [
            "7 응용 계층: HTTP, DNS, SMTP",
            "6 표현 계층: 인코딩, 압축, 암호화",
            "5 세션 계층: 세션 수립과 유지, 동기화",
            "4 전송 계층: TCP, UDP, 포트 번호",
            "3 네트워크 계층: IP, 라우팅, 라우터",
            "2 데이터 링크 계층: MAC 주소, 이더넷 프레임, 스위치",
            "1 물리 계층: 케이블, 전기 신호, 허브와 리피터",
            "외우는 팁: Please Do Not Throw Sausage Pizza Away (1계층부터)",
        ],
        "table": {
            "header": ["구분", "OSI 7계층", "TCP/IP 4계층"],
            "rows": [
                ["응용", "응용, 표현, 세션", "응용 (HTTP, DNS)"],
                ["전송", "전송", "전송 (TCP, UDP)"],
                ["네트워크", "네트워크", "인터넷 (IP, ICMP)"],
                ["링크", "데이터 링크, 물리", "네트워크 인터페이스 (Ethernet)"],
            ],
        },
        "code": {
            "language": "bash",
            "source": r"""# L3: IP 경로 확인
traceroute studyboard.example.com

# L4: TCP 포트가 열려 있는지 확인
nc -vz studyboard.example.com 443

# L2: ARP 테이블에서 MAC 주소 확인
ip neigh show

# L7: HTTP 응답 헤더 확인
curl -sI https://studyboard.example.com/health

# 패킷을 캡처해 계층별 헤더 살펴보기
sudo tcpdump -i eth0 -nn -c 5 port 443""",
        },
        "sources": [
            ("OSI model - Wikipedia", "https://en.wikipedia.org/wiki/OSI_model"),
            ("OSI 모형 - 위키백과", "https://ko.wikipedia.org/wiki/OSI_모형"),
            ("OSI model - MDN Web Docs Glossary", "https://developer.mozilla.org/en-US/docs/Glossary/OSI_model"),
        ],
    },
    {
        "slug": "tcp-handshake",
        "title": "TCP 연결 수립과 종료",
        "questions": [
            "TCP 3-way handshake 과정을 설명하고, 왜 2-way가 아닌 3-way인지 설명하시오",
            "4-way handshake에서 TIME_WAIT 상태가 필요한 이유는 무엇인가?",
            "SYN Flooding 공격은 무엇이고 어떻게 방어하나요?",
            "초기 순서 번호(ISN)를 0이 아닌 랜덤 값으로 정하는 이유는?",
            "Walk through the TCP 3-way handshake and explain what each SYN and ACK means.",
            "Why can a server end up with many sockets in CLOSE_WAIT, and how would you debug it?",
        ],
        "headings": [
            "3-way Handshake 과정",
            "4-way Handshake와 연결 종료",
            "TIME_WAIT와 CLOSE_WAIT",
            "SYN Flooding과 방어 기법",
        ],
        "paragraphs": [
            "TCP는 데이터를 보내기 전에 3-way handshake로 연결을 수립한다. 클라이언트가 SYN에 자신의 초기 순서 번호(ISN)를 담아 보내면, 서버는 SYN+ACK로 클라이언트의 번호에 1을 더한 ACK와 자신의 ISN을 함께 보낸다. 마지막으로 클라이언트가 ACK를 보내면 양쪽 모두 ESTABLISHED 상태가 되어 데이터를 주고받을 수 있다.",
            "2-way가 아니라 3-way인 이유는 양쪽이 서로의 송신과 수신 능력, 그리고 순서 번호를 모두 확인해야 하기 때문이다. 2단계로만 끝내면 서버는 자신이 보낸 SYN+ACK가 클라이언트에 도착했는지 알 수 없다. 또한 네트워크에서 지연된 오래된 SYN이 뒤늦게 도착했을 때 잘못된 연결이 열리는 문제를 막기 위해서도 세 번의 교환이 필요하다.",
            "연결을 종료할 때는 4-way handshake를 사용한다. 먼저 종료하려는 쪽(Active Close)이 FIN을 보내면 상대는 ACK로 응답하고 CLOSE_WAIT 상태에 들어간다. 상대가 남은 데이터를 모두 보낸 뒤 자신의 FIN을 보내면, 처음 종료한 쪽이 마지막 ACK를 보내고 TIME_WAIT 상태로 들어간다. TCP가 양방향 통신이라 각 방향을 따로 닫아야 해서 네 번이 필요하다.",
            "TIME_WAIT 상태는 보통 2MSL(Maximum Segment Lifetime의 두 배) 동안 유지된다. 마지막 ACK가 유실되면 상대가 FIN을 재전송하는데, 이때 소켓이 남아 있어야 다시 ACK를 보낼 수 있다. 또한 같은 포트 조합으로 새 연결이 바로 열렸을 때 이전 연결의 지연된 패킷이 섞이는 것을 방지하는 역할도 한다.",
            "서버에 CLOSE_WAIT 소켓이 계속 쌓인다면 대부분 애플리케이션 버그다. 상대가 FIN을 보냈는데 애플리케이션이 소켓을 close()하지 않아 다음 단계로 넘어가지 못하는 것이다. 커넥션 풀에 반환하지 않은 연결이나 예외 처리 중 close가 누락된 코드를 찾아야 하며, ss -tan 명령으로 상태별 소켓 수를 확인하면서 원인을 좁혀갈 수 있다.",
            "ISN을 0이 아닌 랜덤 값으로 정하는 이유는 보안과 안정성 때문이다. 예측 가능한 순서 번호를 쓰면 공격자가 패킷을 위조해 세션을 가로채는 TCP sequence prediction 공격이 가능해진다. 또한 이전 연결에서 남은 세그먼트가 새 연결의 정상 데이터로 오인되는 것도 막을 수 있다.",
            "SYN Flooding은 공격자가 SYN만 대량으로 보내고 마지막 ACK를 보내지 않아 서버의 backlog 큐를 SYN_RECEIVED 상태의 half-open 연결로 가득 채우는 DoS 공격이다. 큐가 가득 차면 정상 사용자의 연결 요청이 거부된다. 리눅스에서는 SYN Cookie를 켜서 상태를 저장하지 않고 응답하거나, backlog 크기를 늘리고 방화벽에서 요청 속도를 제한하는 방식으로 방어한다.",
            "HTTP/1.1의 Keep-Alive나 커넥션 풀을 사용하는 이유도 handshake 비용과 관련이 있다. 요청마다 TCP 연결을 새로 맺으면 최소 1 RTT가 추가되고, HTTPS라면 TLS handshake 비용까지 더해진다. 그래서 DB 커넥션 풀이나 HTTP 클라이언트의 연결 재사용은 지연 시간을 줄이는 가장 기본적인 최적화로 꼽힌다.",
        ],
        "bullets": [
            "SYN: 연결 요청과 함께 자신의 ISN을 전달한다",
            "SYN+ACK: 상대의 SYN을 확인하고 자신의 ISN을 전달한다",
            "ACK: 서버의 SYN을 확인하면 양쪽 모두 ESTABLISHED가 된다",
            "FIN은 더 이상 보낼 데이터가 없다는 의미이지 수신 종료를 뜻하지 않는다",
            "TIME_WAIT는 Active Close를 한 쪽에 남는다",
            "CLOSE_WAIT가 쌓이면 애플리케이션의 close() 누락을 의심한다",
            "SYN Cookie는 half-open 연결 상태를 서버에 저장하지 않는 방어 기법이다",
            "`ss -tan state time-wait` 명령으로 상태별 소켓을 확인할 수 있다",
        ],
        "table": {
            "header": ["구분", "3-way Handshake", "4-way Handshake"],
            "rows": [
                ["목적", "연결 수립", "연결 종료"],
                ["주고받는 패킷", "SYN, SYN+ACK, ACK", "FIN, ACK, FIN, ACK"],
                ["완료 후 상태", "ESTABLISHED", "`TIME_WAIT` 후 CLOSED"],
                ["관련 이슈", "SYN Flooding", "`CLOSE_WAIT` 누적"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import socket

# connect()가 호출되면 커널이 3-way handshake(SYN -> SYN+ACK -> ACK)를 수행한다
with socket.create_connection(("example.com", 80), timeout=3) as sock:
    local_ip, local_port = sock.getsockname()
    print(f"connected from {local_ip}:{local_port}")

    sock.sendall(b"HEAD / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
    print(sock.recv(1024).decode(errors="replace").splitlines()[0])

# with 블록을 빠져나오면 close()가 호출되어 FIN을 보내고,
# 먼저 닫은 쪽인 클라이언트 소켓은 TIME_WAIT 상태로 남는다""",
        },
        "sources": [
            ("RFC 9293 - Transmission Control Protocol (TCP)", "https://www.rfc-editor.org/rfc/rfc9293"),
            ("Transmission Control Protocol - Wikipedia", "https://en.wikipedia.org/wiki/Transmission_Control_Protocol"),
            ("SYN flood - Wikipedia", "https://en.wikipedia.org/wiki/SYN_flood"),
        ],
    },
    {
        "slug": "tcp-udp",
        "title": "TCP와 UDP",
        "questions": [
            "TCP와 UDP의 차이점을 설명하고 각각 어떤 서비스에 사용되는지 예를 들어보시오",
            "TCP의 흐름 제어(Flow Control)와 혼잡 제어(Congestion Control)의 차이는?",
            "UDP를 사용하면서도 신뢰성을 보장하려면 어떻게 해야 하나요?",
            "HTTP/3는 왜 TCP 대신 UDP 기반의 QUIC을 사용하나요?",
            "When would you choose UDP over TCP for a real-time service?",
            "How does TCP guarantee reliable, in-order delivery?",
        ],
        "headings": [
            "연결 지향 vs 비연결형",
            "TCP의 신뢰성 보장 방법",
            "UDP가 쓰이는 곳",
            "QUIC과 HTTP/3",
        ],
        "paragraphs": [
            "TCP(Transmission Control Protocol)는 연결 지향 프로토콜로, handshake로 연결을 맺은 뒤 데이터의 순서와 도착을 보장한다. UDP(User Datagram Protocol)는 연결 설정 없이 데이터그램을 바로 보내며 순서, 도착, 중복 여부를 보장하지 않는다. 대신 헤더가 8바이트로 작고 처리 과정이 단순해 지연이 적다.",
            "TCP는 순서 번호(Sequence Number)와 확인 응답(ACK)으로 신뢰성을 보장한다. 수신 측은 받은 바이트의 다음 번호를 ACK로 알려주고, 송신 측은 일정 시간 안에 ACK가 오지 않거나 중복 ACK를 세 번 받으면 해당 세그먼트를 재전송한다. 수신 버퍼에서는 순서가 뒤바뀐 세그먼트를 재조립해 애플리케이션에 순서대로 전달한다.",
            "흐름 제어(Flow Control)는 송신자가 수신자의 처리 속도보다 빨리 보내지 않도록 조절하는 것이다. 수신자가 ACK에 남은 버퍼 크기인 receive window(rwnd)를 실어 보내면 송신자는 그 범위 안에서만 데이터를 보낸다. 즉 흐름 제어는 두 종단 사이의 문제를 다루며, 수신 측 버퍼가 넘치는 것을 막는 것이 목적이다.",
            "혼잡 제어(Congestion Control)는 네트워크 전체가 감당할 수 있는 양을 추정해 송신량을 조절하는 것이다. TCP는 congestion window(cwnd)를 두고 Slow Start로 지수적으로 늘리다가, 임계값을 넘으면 선형으로 증가시키고 패킷 손실이 감지되면 크게 줄인다. Reno, CUBIC, BBR 같은 알고리즘이 있으며 리눅스 기본값은 CUBIC이다.",
            "UDP는 약간의 손실보다 지연이 더 치명적인 서비스에 적합하다. 실시간 음성과 영상 통화, 온라인 게임의 위치 동기화, 라이브 스트리밍, DNS 조회가 대표적이다. 예를 들어 영상 통화에서 0.5초 전 프레임을 재전송받아도 쓸모가 없기 때문에, 차라리 버리고 최신 데이터를 받는 편이 사용자 경험에 좋다.",
            "UDP 위에서 신뢰성이 필요하다면 애플리케이션 계층에서 직접 구현해야 한다. 패킷마다 순서 번호를 붙이고, ACK와 타임아웃 기반 재전송, 중복 제거 로직을 추가하는 방식이다. 게임 서버에서 흔히 쓰는 reliable UDP 라이브러리나 QUIC이 바로 이런 아이디어를 체계적으로 구현한 것이다.",
            "HTTP/3는 TCP 대신 UDP 기반의 QUIC을 사용한다. TCP에서는 하나의 패킷이 유실되면 뒤따르는 모든 데이터가 대기하는 Head-of-Line Blocking이 생기지만, QUIC은 스트림별로 독립적인 순서 보장을 제공해 한 스트림의 손실이 다른 스트림을 막지 않는다. 또한 TLS 1.3을 통합해 연결 수립을 1-RTT, 재연결 시 0-RTT로 줄였다.",
            "TCP는 커널에 구현되어 있어 새로운 기능을 배포하려면 OS 업데이트가 필요하지만, QUIC은 사용자 공간 라이브러리로 구현되어 빠르게 개선할 수 있다는 점도 UDP를 선택한 이유다. 다만 일부 기업 방화벽은 UDP 443 포트를 막기 때문에 브라우저는 QUIC 연결이 실패하면 TCP 기반 HTTP/2로 자동 fallback한다.",
        ],
        "bullets": [
            "TCP: 연결 지향, 순서 보장, 재전송, 흐름 제어, 혼잡 제어",
            "UDP: 비연결형, 순서와 도착을 보장하지 않음, 헤더 8바이트",
            "TCP 헤더는 옵션을 제외하고 최소 20바이트다",
            "TCP는 바이트 스트림, UDP는 메시지(데이터그램) 경계를 유지한다",
            "TCP 사용 예: HTTP/1.1, HTTP/2, SMTP, SSH, DB 커넥션",
            "UDP 사용 예: DNS, DHCP, VoIP, 온라인 게임, QUIC",
            "흐름 제어는 rwnd, 혼잡 제어는 cwnd로 송신량을 조절한다",
            "UDP는 브로드캐스트와 멀티캐스트를 지원한다",
        ],
        "table": {
            "header": ["구분", "TCP", "UDP"],
            "rows": [
                ["연결 방식", "연결 지향 (3-way handshake)", "비연결형"],
                ["신뢰성", "순서 보장, 재전송", "보장하지 않음"],
                ["헤더 크기", "20바이트 이상", "8바이트"],
                ["속도", "상대적으로 느림", "빠름"],
                ["사용 예", "HTTP, SSH, 이메일", "DNS, 스트리밍, 게임"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import socket

# UDP echo: 연결 수립 없이 데이터그램 단위로 주고받는다
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 9999))

client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(1.0)  # 유실될 수 있으므로 타임아웃을 둔다
client.sendto(b"ping", ("127.0.0.1", 9999))

data, addr = server.recvfrom(1024)
server.sendto(data.upper(), addr)

reply, _ = client.recvfrom(1024)
print(reply)  # b'PING'

client.close()
server.close()""",
        },
        "sources": [
            ("RFC 768 - User Datagram Protocol", "https://www.rfc-editor.org/rfc/rfc768"),
            ("RFC 9000 - QUIC: A UDP-Based Multiplexed and Secure Transport", "https://www.rfc-editor.org/rfc/rfc9000"),
            ("User Datagram Protocol - Wikipedia", "https://en.wikipedia.org/wiki/User_Datagram_Protocol"),
        ],
    },
    {
        "slug": "http-https",
        "title": "HTTP와 HTTPS",
        "questions": [
            "HTTP와 HTTPS의 차이를 설명하고 HTTPS가 안전한 이유를 설명하시오",
            "TLS handshake 과정에서 대칭키와 비대칭키는 각각 어떻게 사용되나요?",
            "인증서(Certificate)와 CA는 어떤 역할을 하며, 브라우저는 인증서를 어떻게 검증하나요?",
            "TLS 1.2와 TLS 1.3의 차이는 무엇인가?",
            "What does HTTPS protect against, and what does it not protect against?",
            "Explain the TLS 1.3 handshake and why it needs only one round trip.",
        ],
        "headings": [
            "HTTPS가 보장하는 것",
            "대칭키와 공개키 암호화",
            "TLS Handshake 과정",
            "인증서와 신뢰 체인",
        ],
        "paragraphs": [
            "HTTP는 데이터를 평문으로 주고받기 때문에 중간에서 패킷을 가로채면 내용을 그대로 볼 수 있고 변조도 가능하다. HTTPS는 HTTP를 TLS(Transport Layer Security) 위에서 동작시켜 기밀성(암호화), 무결성(변조 방지), 인증(상대 서버가 진짜인지 확인)을 제공한다. 기본 포트는 HTTP가 80, HTTPS가 443이다.",
            "TLS는 대칭키와 비대칭키 암호화를 함께 사용한다. 공개키 암호화는 키를 안전하게 교환할 수 있지만 연산이 느리고, 대칭키 암호화는 빠르지만 키를 미리 공유해야 하는 문제가 있다. 그래서 handshake 단계에서 공개키 기반 알고리즘(ECDHE 등)으로 세션 키를 합의하고, 실제 데이터는 AES-GCM이나 ChaCha20 같은 대칭키로 암호화한다.",
            "TLS 1.2 handshake는 ClientHello, ServerHello와 인증서 전달, 키 교환, Finished 메시지 순으로 진행되어 2-RTT가 필요하다. 클라이언트는 지원하는 cipher suite 목록과 랜덤 값을 보내고, 서버는 그중 하나를 골라 인증서와 함께 응답한다. 이후 양쪽이 같은 pre-master secret으로부터 세션 키를 만들어 암호화 통신을 시작한다.",
            "TLS 1.3에서는 취약한 RSA 키 교환과 오래된 cipher suite를 제거하고, ClientHello에 키 교환 정보(key share)를 미리 담아 보내 handshake를 1-RTT로 줄였다. 이전에 접속한 서버라면 0-RTT로 첫 요청부터 데이터를 보낼 수도 있지만, 재전송 공격(replay attack)에 취약해 멱등한 요청에만 사용하는 것이 권장된다.",
            "인증서는 서버의 공개키와 도메인 정보를 CA(Certificate Authority)가 자신의 개인키로 서명한 문서다. 브라우저는 OS나 브라우저에 내장된 루트 CA의 공개키로 중간 인증서와 서버 인증서의 서명을 차례로 검증하는데, 이를 인증서 체인(chain of trust)이라고 한다. 도메인이 일치하지 않거나 만료된 인증서라면 경고를 띄운다.",
            "HTTPS가 모든 것을 보호하지는 않는다. 접속하는 도메인 이름은 SNI와 DNS 조회를 통해 노출될 수 있고, 서버 자체가 악성이거나 XSS 같은 애플리케이션 취약점이 있으면 암호화와 무관하게 피해가 발생한다. HTTPS는 전송 구간을 보호하는 기술이라는 점을 분명히 구분해서 말하는 것이 좋다.",
            "HSTS(HTTP Strict Transport Security)는 서버가 Strict-Transport-Security 헤더를 보내 브라우저가 이후 해당 도메인에 HTTP로 접속하지 않도록 강제하는 기능이다. 처음 접속 시 HTTP에서 HTTPS로 리다이렉트되는 순간을 노린 SSL stripping 공격을 막을 수 있으며, preload 목록에 등록하면 첫 접속부터 보호된다.",
            "요즘은 Let's Encrypt 덕분에 인증서를 무료로 자동 발급받을 수 있고, TLS 연산 비용도 하드웨어 가속으로 크게 줄어 HTTPS를 쓰지 않을 이유가 거의 없다. 또한 브라우저는 HTTP/2와 HTTP/3를 TLS 위에서만 지원하기 때문에 성능 측면에서도 HTTPS가 오히려 유리하다.",
        ],
        "bullets": [
            "기밀성: 세션 키로 데이터를 암호화한다",
            "무결성: MAC 또는 AEAD로 변조 여부를 검증한다",
            "인증: CA가 서명한 인증서로 서버의 신원을 확인한다",
            "키 교환에는 ECDHE 같은 비대칭 방식, 데이터 암호화에는 AES 같은 대칭 방식을 쓴다",
            "TLS 1.3은 1-RTT handshake와 Forward Secrecy를 기본으로 제공한다",
            "SNI 때문에 접속 도메인은 암호화 전에 노출될 수 있다",
            "HSTS로 SSL stripping 공격을 방지한다",
            "인증서 검증은 루트 CA에서 서버 인증서까지 체인을 따라 진행된다",
        ],
        "table": {
            "header": ["구분", "HTTP", "HTTPS"],
            "rows": [
                ["기본 포트", "80", "443"],
                ["데이터 전송", "평문", "TLS로 암호화"],
                ["서버 인증", "없음", "CA가 서명한 인증서"],
                ["브라우저의 HTTP/2, HTTP/3 지원", "지원하지 않음", "지원"],
            ],
        },
        "code": {
            "language": "bash",
            "source": r"""# 서버가 보내는 인증서 체인과 협상된 TLS 버전 확인
openssl s_client -connect example.com:443 -servername example.com -tls1_3 </dev/null

# 인증서 유효 기간과 발급자만 출력
echo | openssl s_client -connect example.com:443 -servername example.com 2>/dev/null \
  | openssl x509 -noout -issuer -subject -dates

# curl로 handshake 과정을 자세히 보기
curl -v --tlsv1.2 https://example.com -o /dev/null""",
        },
        "sources": [
            ("RFC 8446 - The Transport Layer Security (TLS) Protocol Version 1.3", "https://www.rfc-editor.org/rfc/rfc8446"),
            ("HTTPS - MDN Web Docs Glossary", "https://developer.mozilla.org/en-US/docs/Glossary/HTTPS"),
            ("Strict-Transport-Security - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security"),
        ],
    },
    {
        "slug": "dns",
        "title": "DNS",
        "questions": [
            "브라우저 주소창에 www.google.com을 입력하면 DNS 조회가 어떤 순서로 일어나는지 설명하시오",
            "Recursive Query와 Iterative Query의 차이는 무엇인가?",
            "A, CNAME, MX, NS 레코드는 각각 어떤 역할을 하나요?",
            "DNS TTL을 짧게 설정했을 때의 장단점은?",
            "Why does DNS primarily use UDP, and when does it fall back to TCP?",
            "How can DNS be used for load balancing or failover across regions?",
        ],
        "headings": [
            "DNS가 하는 일",
            "DNS 조회 과정",
            "주요 레코드 타입",
            "TTL, 캐시, 그리고 DNS 기반 부하 분산",
        ],
        "paragraphs": [
            "DNS(Domain Name System)는 사람이 읽기 쉬운 도메인 이름을 IP 주소로 변환해주는 분산 데이터베이스 시스템이다. 전 세계의 모든 도메인 정보를 한 서버가 관리하는 것이 아니라, 루트, TLD(.com, .kr), 권한 있는(Authoritative) 네임서버로 계층을 나누어 각자 자기 영역만 책임진다.",
            "브라우저에 도메인을 입력하면 먼저 브라우저 캐시, OS 캐시, hosts 파일을 확인한다. 없으면 통신사나 8.8.8.8 같은 Recursive Resolver에 질의하고, Resolver는 루트 네임서버에서 .com 네임서버의 주소를, .com 네임서버에서 해당 도메인의 권한 있는 네임서버 주소를 받아 최종적으로 IP 주소를 얻는다.",
            "클라이언트와 Recursive Resolver 사이의 질의는 Recursive Query다. 클라이언트는 최종 답만 요청하고 중간 과정은 Resolver가 모두 처리한다. 반면 Resolver가 루트, TLD, 권한 있는 네임서버에 차례로 묻는 과정은 Iterative Query로, 각 서버는 답을 모르면 다음에 물어볼 서버의 주소만 알려준다.",
            "A 레코드는 도메인을 IPv4 주소에, AAAA 레코드는 IPv6 주소에 연결한다. CNAME은 도메인을 다른 도메인 이름의 별칭으로 지정하며, CDN이나 클라우드 로드밸런서를 연결할 때 자주 사용한다. MX는 메일 서버, NS는 해당 영역의 네임서버, TXT는 도메인 소유 인증이나 SPF 설정 같은 임의의 텍스트 정보를 담는다.",
            "DNS 응답에는 TTL(Time To Live)이 있어 Resolver와 클라이언트는 그 시간 동안 결과를 캐시한다. TTL을 짧게 하면 IP 변경이 빠르게 반영되지만 조회가 잦아져 지연과 네임서버 부하가 늘어난다. 그래서 서버 이전처럼 IP를 바꿀 계획이 있다면 미리 TTL을 낮춰 두고 작업이 끝나면 다시 올리는 것이 일반적이다.",
            "DNS는 기본적으로 UDP 53번 포트를 사용한다. 질의와 응답이 대부분 작아 handshake 없이 한 번 주고받는 것이 효율적이기 때문이다. 응답이 커서 잘리면(TC 플래그) TCP로 재시도하고, 네임서버 간 존 전송(Zone Transfer)에는 TCP를 사용한다. 최근에는 개인정보 보호를 위해 DNS over HTTPS(DoH)도 많이 쓰인다.",
            "DNS로도 부하 분산을 할 수 있다. 하나의 도메인에 여러 A 레코드를 등록하는 DNS Round Robin이 가장 단순한 방법이고, GSLB나 AWS Route 53처럼 사용자 위치, 지연 시간, Health Check 결과에 따라 다른 IP를 돌려주는 방식도 있다. 다만 캐시 때문에 장애 서버의 IP가 TTL 동안 계속 전달될 수 있다는 한계가 있다.",
            "DNS는 인터넷의 기반이라 장애가 나면 서비스 전체가 접속 불가가 된다. DNS 스푸핑이나 캐시 포이즈닝 공격으로 잘못된 IP를 돌려주면 사용자를 가짜 사이트로 유도할 수도 있다. DNSSEC은 응답에 전자 서명을 붙여 위조 여부를 검증할 수 있게 해주며, 중요한 서비스는 네임서버를 여러 업체로 이중화하기도 한다.",
        ],
        "bullets": [
            "조회 순서: 브라우저 캐시, OS 캐시, hosts 파일, Recursive Resolver",
            "Resolver는 루트, TLD, Authoritative 네임서버 순으로 Iterative Query를 한다",
            "A는 IPv4, AAAA는 IPv6 주소를 가리킨다",
            "CNAME은 별칭이며 루트 도메인(apex)에는 사용할 수 없다",
            "MX는 메일 서버, NS는 네임서버, TXT는 인증과 SPF에 쓴다",
            "TTL이 짧을수록 변경 반영은 빠르지만 조회 부하가 커진다",
            "기본은 UDP 53, 큰 응답과 존 전송은 TCP를 사용한다",
            "DNSSEC은 서명으로 응답의 위조를 검증한다",
        ],
        "table": {
            "header": ["구분", "의미", "예시 값"],
            "rows": [
                ["A", "도메인을 IPv4 주소에 연결", "93.184.215.14"],
                ["CNAME", "다른 도메인의 별칭", "cdn.example.net"],
                ["MX", "메일을 받을 서버", "10 mail.example.com"],
                ["NS", "영역을 관리하는 네임서버", "ns1.example.com"],
                ["TXT", "임의의 텍스트 정보", "`v=spf1 -all`"],
            ],
        },
        "code": {
            "language": "bash",
            "source": r"""# 전체 조회 경로를 루트부터 따라가 보기
dig +trace studyboard.example.com

# 특정 레코드 타입 조회
dig studyboard.example.com A +short
dig example.com MX +short

# 특정 Resolver에 질의하고 TTL 확인
dig @8.8.8.8 studyboard.example.com +noall +answer

# TCP로 강제 질의
dig +tcp example.com NS""",
        },
        "sources": [
            ("RFC 1034 - Domain Names: Concepts and Facilities", "https://www.rfc-editor.org/rfc/rfc1034"),
            ("DNS - MDN Web Docs Glossary", "https://developer.mozilla.org/en-US/docs/Glossary/DNS"),
            ("What is DNS? - Cloudflare", "https://www.cloudflare.com/learning/dns/what-is-dns/"),
        ],
    },
    {
        "slug": "rest-api",
        "title": "REST API",
        "questions": [
            "REST API란 무엇이고, RESTful하게 설계한다는 것은 어떤 의미인가?",
            "PUT과 PATCH의 차이, 그리고 멱등성(Idempotency)에 대해 설명하시오",
            "HTTP 상태 코드 401과 403, 400과 422는 어떻게 구분해서 사용하나요?",
            "REST API에서 버전 관리는 URL과 헤더 중 어디에 두는 것이 좋을까?",
            "What are the constraints that define a REST architecture?",
            "How would you design a REST endpoint for paginating study board questions?",
        ],
        "headings": [
            "REST의 구성 요소와 제약 조건",
            "HTTP 메서드와 멱등성",
            "상태 코드 선택하기",
            "URI 설계와 페이지네이션",
        ],
        "paragraphs": [
            "REST(Representational State Transfer)는 Roy Fielding이 2000년 박사 논문에서 제안한 아키텍처 스타일이다. 자원(Resource)을 URI로 식별하고, 자원에 대한 행위는 HTTP 메서드로 표현하며, 자원의 상태는 JSON 같은 표현(Representation)으로 주고받는다. 이 원칙을 잘 따르는 API를 RESTful API라고 부른다.",
            "REST의 제약 조건으로는 Client-Server 분리, Stateless, Cacheable, Uniform Interface, Layered System, 그리고 선택 사항인 Code on Demand가 있다. 특히 Stateless는 서버가 클라이언트의 세션 상태를 저장하지 않고 각 요청이 필요한 정보를 모두 담아야 한다는 뜻으로, 덕분에 서버를 수평 확장하기가 쉬워진다.",
            "GET은 조회, POST는 생성, PUT은 전체 교체, PATCH는 부분 수정, DELETE는 삭제에 사용한다. 멱등성은 같은 요청을 여러 번 보내도 서버 상태가 한 번 보낸 것과 같다는 성질이다. GET, PUT, DELETE는 멱등하고 POST는 멱등하지 않다. PATCH는 구현에 따라 다른데, '조회수 1 증가' 같은 연산이라면 멱등하지 않다.",
            "네트워크 오류로 클라이언트가 재시도할 때 멱등성이 중요해진다. 결제처럼 POST 요청이 중복 처리되면 안 되는 경우에는 클라이언트가 Idempotency-Key 헤더에 고유 값을 담아 보내고, 서버는 같은 키의 요청이 다시 오면 저장해 둔 첫 응답을 그대로 돌려주는 방식으로 중복을 막는다.",
            "401 Unauthorized는 인증 정보가 없거나 잘못된 경우, 403 Forbidden은 인증은 되었지만 해당 자원에 대한 권한이 없는 경우에 사용한다. 400 Bad Request는 요청 형식 자체가 잘못된 경우, 422 Unprocessable Content는 형식은 맞지만 비즈니스 규칙상 처리할 수 없는 경우에 쓰는 것이 일반적이다. 생성 성공은 201과 Location 헤더로 응답한다.",
            "URI는 동사가 아닌 명사로, 컬렉션은 복수형으로 설계한다. /getQuestions 대신 GET /questions, /deleteAnswer?id=3 대신 DELETE /answers/3처럼 쓴다. 계층 관계는 /questions/42/answers처럼 표현하되 너무 깊게 중첩하지 않는 것이 좋고, 필터와 정렬은 ?tag=network&sort=-created_at처럼 쿼리 스트링으로 전달한다.",
            "목록 API에는 페이지네이션이 필수다. offset과 limit을 쓰는 방식은 구현이 쉽지만 offset이 커질수록 DB가 앞의 행을 모두 건너뛰어야 해서 느려지고, 중간에 데이터가 추가되면 중복이나 누락이 생긴다. 그래서 피드나 게시판처럼 데이터가 자주 추가되는 곳에서는 마지막 항목의 id를 기준으로 다음 페이지를 가져오는 cursor 기반 페이지네이션을 많이 사용한다.",
            "API 버전은 /v1/questions처럼 URL에 넣는 방식과 Accept 헤더에 넣는 방식이 있다. URL 방식은 직관적이고 캐시와 로그에서 구분하기 쉬워 가장 널리 쓰이고, 헤더 방식은 URI가 자원만 표현한다는 REST 원칙에 더 가깝다. 어느 쪽이든 하위 호환을 깨는 변경이 있을 때만 버전을 올리는 것이 중요하다.",
        ],
        "bullets": [
            "자원은 URI로, 행위는 HTTP 메서드로, 표현은 JSON 등으로 나타낸다",
            "Stateless 덕분에 서버를 자유롭게 늘리고 줄일 수 있다",
            "GET, PUT, DELETE는 멱등하고 POST는 멱등하지 않다",
            "PUT은 자원 전체 교체, PATCH는 일부 필드 수정에 사용한다",
            "401은 인증 실패, 403은 권한 부족",
            "URI에는 동사 대신 명사와 복수형을 사용한다",
            "대량 목록은 cursor 기반 페이지네이션을 고려한다",
            "HATEOAS는 응답에 다음 행동의 링크를 포함하는 REST 성숙도 3단계다",
        ],
        "table": {
            "header": ["구분", "안전(Safe)", "멱등(Idempotent)"],
            "rows": [
                ["GET", "O", "O"],
                ["POST", "X", "X"],
                ["PUT", "X", "O"],
                ["PATCH", "X", "구현에 따라 다름"],
                ["DELETE", "X", "O"],
            ],
        },
        "code": {
            "language": "http",
            "source": r"""GET /api/v1/questions?tag=network&limit=20&cursor=eyJpZCI6MTAyNH0 HTTP/1.1
Host: studyboard.example.com
Accept: application/json
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.signature

HTTP/1.1 200 OK
Content-Type: application/json
Cache-Control: private, max-age=30

{
  "results": [
    {"id": 1023, "title": "L4와 L7 로드밸런서의 차이", "answers": 3}
  ],
  "next": "/api/v1/questions?tag=network&limit=20&cursor=eyJpZCI6MTAyM30"
}""",
        },
        "sources": [
            ("Architectural Styles and the Design of Network-based Software Architectures, Chapter 5", "https://ics.uci.edu/~fielding/pubs/dissertation/rest_arch_style.htm"),
            ("RFC 9110 - HTTP Semantics", "https://www.rfc-editor.org/rfc/rfc9110"),
            ("HTTP response status codes - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status"),
        ],
    },
    {
        "slug": "process-thread",
        "title": "프로세스와 스레드",
        "questions": [
            "프로세스와 스레드의 차이를 메모리 구조 관점에서 설명하시오",
            "멀티 프로세스 대신 멀티 스레드를 사용하는 이유와 주의할 점은?",
            "Python의 GIL이 있는데도 멀티 스레드가 의미 있는 경우는 언제인가요?",
            "Chrome 브라우저는 왜 탭마다 별도의 프로세스를 사용할까?",
            "What resources do threads in the same process share, and what does each thread own?",
            "How do processes communicate with each other (IPC)?",
        ],
        "headings": [
            "프로세스와 스레드의 정의",
            "메모리 구조 비교",
            "멀티 프로세스 vs 멀티 스레드",
            "IPC와 실제 사례",
        ],
        "paragraphs": [
            "프로세스는 실행 중인 프로그램으로, 운영체제로부터 독립된 메모리 공간과 자원을 할당받는 작업의 단위다. 스레드는 프로세스 안에서 실행되는 흐름의 단위로, 하나의 프로세스는 최소 하나의 메인 스레드를 가지며 필요에 따라 여러 스레드를 만들 수 있다. 운영체제는 프로세스마다 PCB(Process Control Block)를 두고 상태를 관리한다.",
            "프로세스의 메모리는 Code, Data, Heap, Stack 영역으로 나뉜다. 같은 프로세스의 스레드들은 Code, Data, Heap 영역과 열린 파일 같은 자원을 공유하고, 각자 독립적인 Stack과 레지스터, 프로그램 카운터(PC)만 가진다. 스레드마다 스택이 따로 있어야 함수 호출 흐름을 독립적으로 실행할 수 있기 때문이다.",
            "멀티 스레드는 메모리를 공유하므로 스레드 간 데이터 교환이 빠르고, 생성 비용과 context switching 비용도 프로세스보다 작다. 반면 공유 자원에 동시에 접근하면 race condition이 발생할 수 있어 mutex 같은 동기화가 필요하고, 한 스레드의 잘못된 메모리 접근이 프로세스 전체를 종료시킬 수 있다.",
            "멀티 프로세스는 각 프로세스가 독립된 메모리를 가지므로 하나가 죽어도 다른 프로세스에 영향을 주지 않아 안정성이 높다. 대신 메모리 사용량이 크고 데이터를 주고받으려면 IPC를 사용해야 해서 비용이 든다. Chrome이 탭마다 렌더러 프로세스를 분리하는 이유도 한 탭의 크래시나 보안 취약점이 다른 탭으로 번지지 않게 하기 위해서다.",
            "프로세스 간 통신(IPC) 방법으로는 파이프(pipe), 메시지 큐, 공유 메모리(shared memory), 소켓, 시그널, 메모리 맵 파일 등이 있다. 공유 메모리는 한 번 매핑한 뒤에는 커널을 거치지 않아 가장 빠르지만 동기화를 직접 처리해야 하고, 소켓은 상대적으로 느리지만 다른 머신의 프로세스와도 통신할 수 있다는 장점이 있다.",
            "Python(CPython)에는 GIL(Global Interpreter Lock)이 있어 한 번에 하나의 스레드만 바이트코드를 실행한다. 그래서 CPU 연산 위주의 작업은 멀티 스레드로 빨라지지 않고 multiprocessing을 써야 한다. 하지만 네트워크 요청이나 파일 읽기처럼 I/O 대기가 많은 작업에서는 대기 중에 GIL이 해제되므로 멀티 스레드로도 충분히 성능을 높일 수 있다.",
            "웹 서버 구조에서도 이 차이가 드러난다. Apache의 prefork 방식은 요청마다 프로세스를 사용하고, worker 방식은 스레드를 사용한다. Gunicorn은 여러 워커 프로세스를 띄워 CPU 코어를 활용하고, 각 워커 안에서 스레드나 비동기 이벤트 루프로 동시 요청을 처리하는 혼합 구조를 많이 쓴다.",
            "리눅스에서는 프로세스와 스레드 모두 커널 내부적으로 task_struct로 표현되며, clone() 시스템 콜에 어떤 자원을 공유할지 플래그로 지정해 만든다. 즉 리눅스 관점에서 스레드는 메모리 공간을 공유하는 경량 프로세스(LWP)라고 볼 수 있다. ps -eLf 명령으로 프로세스별 스레드 목록을 확인할 수 있다.",
        ],
        "bullets": [
            "프로세스: 독립된 메모리 공간을 가진 실행 중인 프로그램",
            "스레드: 프로세스 내 실행 흐름, Stack과 레지스터만 독립적",
            "스레드는 Code, Data, Heap 영역을 공유한다",
            "멀티 스레드는 빠르지만 동기화 문제가 생긴다",
            "멀티 프로세스는 안정적이지만 메모리와 IPC 비용이 크다",
            "IPC: pipe, message queue, shared memory, socket, signal",
            "CPython의 GIL은 CPU 바운드 멀티 스레딩을 제한한다",
            "fork()로 만든 자식 프로세스는 Copy-on-Write로 메모리를 공유하다가 쓰기 시점에 복사한다",
        ],
        "table": {
            "header": ["구분", "프로세스", "스레드"],
            "rows": [
                ["메모리", "독립된 주소 공간", "Code, Data, Heap 공유"],
                ["생성 비용", "큼", "작음"],
                ["Context Switching", "느림 (TLB 플러시 등)", "빠름"],
                ["장애 영향", "다른 프로세스에 영향 없음", "프로세스 전체가 종료될 수 있음"],
                ["통신 방법", "IPC 필요", "공유 메모리로 바로 접근"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

counter = 0


def show(label: str) -> int:
    global counter
    counter += 1  # 스레드끼리는 같은 전역 변수를 본다
    print(f"{label}: pid={os.getpid()} thread={threading.get_ident()}")
    return counter


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=2) as pool:
        print(list(pool.map(show, ["thread-1", "thread-2"])))
    with ProcessPoolExecutor(max_workers=2) as pool:
        print(list(pool.map(show, ["proc-1", "proc-2"])))  # 자식 프로세스의 counter는 부모와 별개""",
        },
        "sources": [
            ("Thread (computing) - Wikipedia", "https://en.wikipedia.org/wiki/Thread_(computing)"),
            ("threading - Thread-based parallelism (Python docs)", "https://docs.python.org/3/library/threading.html"),
            ("Multi-process Architecture - The Chromium Projects", "https://www.chromium.org/developers/design-documents/multi-process-architecture/"),
        ],
    },
    {
        "slug": "deadlock",
        "title": "교착 상태",
        "questions": [
            "교착 상태(Deadlock)가 발생하기 위한 4가지 필요 조건을 설명하시오",
            "교착 상태의 예방, 회피, 탐지 및 회복 방법의 차이는?",
            "은행원 알고리즘(Banker's Algorithm)은 어떻게 안전 상태를 판단하나요?",
            "DB에서 두 트랜잭션이 서로의 row lock을 기다리면 어떻게 되나요?",
            "What are the four Coffman conditions for a deadlock?",
            "How would you prevent a deadlock when two threads need to acquire two locks?",
        ],
        "headings": [
            "교착 상태란",
            "발생 조건 4가지",
            "예방, 회피, 탐지와 회복",
            "실무에서 만나는 deadlock",
        ],
        "paragraphs": [
            "교착 상태(Deadlock)는 둘 이상의 프로세스나 스레드가 서로가 가진 자원을 기다리면서 아무도 진행하지 못하고 영원히 멈춰 있는 상태를 말한다. 예를 들어 스레드 A가 락 1을 잡고 락 2를 기다리는데, 스레드 B는 락 2를 잡고 락 1을 기다린다면 둘 다 영원히 깨어나지 못한다.",
            "교착 상태는 상호 배제(Mutual Exclusion), 점유 대기(Hold and Wait), 비선점(No Preemption), 순환 대기(Circular Wait)의 네 가지 조건이 동시에 성립할 때 발생한다. 이를 Coffman 조건이라고 부르며, 네 조건 중 하나라도 깨뜨리면 교착 상태는 발생하지 않는다. 그래서 해결 방법도 결국 어떤 조건을 깨뜨릴지의 문제로 정리된다.",
            "예방(Prevention)은 네 가지 조건 중 하나를 원천적으로 막는 방법이다. 필요한 자원을 한 번에 모두 요청하게 해 점유 대기를 없애거나, 자원에 번호를 매겨 항상 오름차순으로만 요청하게 해 순환 대기를 없애는 식이다. 확실하지만 자원 활용률이 떨어지고 기아(starvation)가 생길 수 있다.",
            "회피(Avoidance)는 자원을 할당하기 전에 할당 후에도 시스템이 안전 상태(safe state)인지 검사하는 방법이다. 대표적인 것이 다익스트라의 은행원 알고리즘으로, 각 프로세스의 최대 요구량과 현재 할당량을 보고 모든 프로세스가 끝날 수 있는 순서가 존재할 때만 자원을 내준다. 하지만 최대 요구량을 미리 알아야 해서 범용 OS에서는 잘 쓰이지 않는다.",
            "탐지와 회복(Detection and Recovery)은 교착 상태를 일단 허용하고 주기적으로 자원 할당 그래프(wait-for graph)에서 사이클을 찾아내는 방법이다. 교착 상태가 발견되면 관련 프로세스를 하나씩 종료하거나 자원을 선점해 빼앗아 해결한다. 데이터베이스가 주로 이 방식을 사용한다.",
            "MySQL InnoDB나 PostgreSQL은 트랜잭션 간 교착 상태를 자동으로 탐지한다. 두 트랜잭션이 서로의 row lock을 기다리는 사이클이 생기면 하나의 트랜잭션을 롤백시키고 deadlock 에러를 반환한다. 그래서 애플리케이션은 이 에러를 받았을 때 트랜잭션을 재시도하도록 구현하는 것이 좋다.",
            "실무에서 가장 흔한 예방법은 락 획득 순서를 전역적으로 통일하는 것이다. 계좌 이체처럼 두 개의 자원을 잠가야 한다면 항상 id가 작은 계좌부터 잠그도록 하면 순환 대기가 생기지 않는다. 또 tryLock에 타임아웃을 주어 일정 시간 안에 락을 얻지 못하면 포기하고 재시도하게 하는 방법도 많이 쓴다.",
            "대부분의 범용 운영체제는 교착 상태를 별도로 처리하지 않는 타조 알고리즘(Ostrich Algorithm)을 택한다. 교착 상태가 드물게 발생하는 데 비해 예방이나 회피에 드는 비용이 크기 때문이다. 대신 개발자가 애플리케이션 수준에서 락 순서와 타임아웃을 관리해야 하며, Java에서는 jstack으로 스레드 덤프를 떠서 deadlock을 확인할 수 있다.",
        ],
        "bullets": [
            "상호 배제: 자원은 한 번에 하나의 프로세스만 사용할 수 있다",
            "점유 대기: 자원을 가진 채 다른 자원을 기다린다",
            "비선점: 다른 프로세스의 자원을 강제로 빼앗을 수 없다",
            "순환 대기: 대기 관계가 원형으로 이어진다",
            "예방은 조건 하나를 제거하고, 회피는 안전 상태만 허용한다",
            "탐지는 자원 할당 그래프의 사이클로 판단한다",
            "락 획득 순서를 통일하면 순환 대기를 깨뜨릴 수 있다",
            "DB는 교착 상태를 탐지하면 한 트랜잭션을 롤백한다",
        ],
        "table": {
            "header": ["구분", "방법", "단점"],
            "rows": [
                ["예방", "4가지 조건 중 하나를 원천 차단", "자원 활용률 저하"],
                ["회피", "은행원 알고리즘으로 안전 상태만 허용", "최대 요구량을 미리 알아야 함"],
                ["탐지와 회복", "사이클 탐지 후 프로세스 종료나 자원 선점", "탐지 비용과 작업 손실"],
                ["무시", "타조 알고리즘, 발생 시 재시작", "발생하면 수동 대응 필요"],
            ],
        },
        "code": {
            "language": "java",
            "source": r"""public class Transfer {
    // 항상 id가 작은 계좌부터 잠가서 순환 대기를 방지한다
    public static void transfer(Account from, Account to, long amount) {
        Account first = from.getId() < to.getId() ? from : to;
        Account second = first == from ? to : from;

        synchronized (first) {
            synchronized (second) {
                if (from.getBalance() < amount) {
                    throw new IllegalStateException("잔액이 부족합니다");
                }
                from.withdraw(amount);
                to.deposit(amount);
            }
        }
    }
}""",
        },
        "sources": [
            ("교착 상태 - 위키백과", "https://ko.wikipedia.org/wiki/교착_상태"),
            ("Deadlock (computer science) - Wikipedia", "https://en.wikipedia.org/wiki/Deadlock_(computer_science)"),
            ("PostgreSQL Documentation - Explicit Locking: Deadlocks", "https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-DEADLOCKS"),
        ],
    },
    {
        "slug": "context-switching",
        "title": "컨텍스트 스위칭",
        "questions": [
            "Context Switching이란 무엇이고 언제 발생하는지 설명하시오",
            "프로세스 간 컨텍스트 스위칭이 스레드 간 컨텍스트 스위칭보다 비싼 이유는?",
            "PCB에는 어떤 정보가 저장되나요?",
            "컨텍스트 스위칭이 너무 자주 일어나면 어떤 문제가 생기고 어떻게 확인할 수 있나요?",
            "What exactly gets saved and restored during a context switch?",
            "Why are coroutines or green threads cheaper to switch than OS threads?",
        ],
        "headings": [
            "컨텍스트 스위칭이란",
            "PCB와 저장되는 정보",
            "프로세스 vs 스레드 전환 비용",
            "오버헤드 줄이기",
        ],
        "paragraphs": [
            "컨텍스트 스위칭(Context Switching)은 CPU가 현재 실행 중인 프로세스나 스레드의 상태를 저장하고, 다음에 실행할 작업의 상태를 복원해 실행을 넘기는 과정이다. 하나의 CPU 코어는 한 순간에 하나의 작업만 실행할 수 있지만, 이 전환을 매우 빠르게 반복하기 때문에 여러 프로그램이 동시에 실행되는 것처럼 보인다.",
            "컨텍스트 스위칭은 타임 슬라이스가 끝나 타이머 인터럽트가 발생할 때, 프로세스가 I/O 요청처럼 blocking 시스템 콜을 호출해 대기 상태로 갈 때, 더 높은 우선순위의 작업이 준비 상태가 될 때 발생한다. 이때 커널의 스케줄러가 다음에 실행할 작업을 고르고 디스패처가 실제 전환을 수행한다.",
            "PCB(Process Control Block)에는 프로세스 ID, 프로세스 상태, 프로그램 카운터(PC), CPU 레지스터 값, 스케줄링 우선순위, 메모리 관리 정보(페이지 테이블 주소), 열린 파일 목록 같은 정보가 저장된다. 전환 시 현재 작업의 레지스터와 PC를 PCB에 저장하고, 다음 작업의 PCB에서 값을 읽어 CPU에 복원한다.",
            "프로세스 간 전환은 주소 공간 자체가 바뀌므로 페이지 테이블을 교체해야 하고, 이때 TLB(Translation Lookaside Buffer)의 기존 항목이 무효화된다. 전환 직후에는 TLB 미스와 CPU 캐시 미스가 연달아 발생해 성능이 떨어진다. 반면 같은 프로세스의 스레드끼리는 메모리 공간을 공유하므로 레지스터와 스택 포인터만 바꾸면 되어 훨씬 가볍다.",
            "컨텍스트 스위칭 자체는 유용한 일을 하지 않는 순수한 오버헤드다. 스레드를 지나치게 많이 만들면 CPU가 실제 작업보다 전환에 더 많은 시간을 쓰게 되고 캐시 효율도 떨어진다. 리눅스에서는 vmstat의 cs 컬럼이나 pidstat -w 명령으로 초당 컨텍스트 스위칭 횟수를 확인할 수 있다.",
            "오버헤드를 줄이려면 스레드 수를 CPU 코어 수와 작업 특성에 맞게 제한하는 스레드 풀을 사용하는 것이 기본이다. CPU 바운드 작업은 코어 수 정도, I/O 바운드 작업은 대기 시간 비율을 고려해 그보다 많게 잡는다. 또한 이벤트 루프와 Non-blocking I/O를 사용하면 적은 스레드로 많은 연결을 처리해 전환 횟수 자체를 줄일 수 있다.",
            "코루틴이나 Go의 goroutine, Java 21의 Virtual Thread 같은 사용자 수준 스레드는 커널 모드로 전환하지 않고 런타임이 직접 스케줄링한다. 저장할 상태도 적고 스택도 작게 시작하기 때문에 전환 비용이 OS 스레드보다 훨씬 적다. 그래서 수십만 개의 동시 작업을 만들어도 시스템이 버틸 수 있다.",
            "모드 전환(mode switch)과 컨텍스트 스위칭은 구분해야 한다. 시스템 콜을 호출하면 사용자 모드에서 커널 모드로 전환되지만, 같은 프로세스가 계속 실행된다면 컨텍스트 스위칭은 아니다. 면접에서 이 둘을 혼동하지 않고 설명하면 운영체제 이해도가 높다는 인상을 줄 수 있다.",
        ],
        "bullets": [
            "발생 시점: 타임 슬라이스 만료, I/O 대기, 인터럽트, 우선순위 선점",
            "PCB에는 PID, 상태, PC, 레지스터, 페이지 테이블 정보가 저장된다",
            "프로세스 전환은 페이지 테이블 교체와 TLB 무효화가 필요하다",
            "스레드 전환은 주소 공간을 공유해 상대적으로 가볍다",
            "전환 직후에는 캐시 미스로 인한 성능 저하가 있다",
            "`vmstat 1`의 cs 값으로 초당 전환 횟수를 볼 수 있다",
            "스레드 풀로 스레드 수를 제한해 불필요한 전환을 줄인다",
            "goroutine과 Virtual Thread는 사용자 공간에서 가볍게 전환된다",
        ],
        "table": {
            "header": ["구분", "프로세스 전환", "스레드 전환"],
            "rows": [
                ["주소 공간", "변경됨", "유지됨"],
                ["TLB", "무효화 필요", "대부분 유지"],
                ["저장할 정보", "PCB 전체", "TCB의 레지스터와 스택 포인터"],
                ["비용", "높음", "낮음"],
            ],
        },
        "code": {
            "language": "bash",
            "source": r"""# 시스템 전체의 초당 컨텍스트 스위칭 횟수 (cs 컬럼)
vmstat 1 5

# 프로세스별 자발적(cswch/s), 비자발적(nvcswch/s) 전환 횟수
pidstat -w 1 5

# 특정 프로세스의 누적 전환 횟수
grep ctxt /proc/$(pgrep -o gunicorn)/status

# perf로 컨텍스트 스위칭 이벤트 측정
sudo perf stat -e context-switches,cpu-migrations -p $(pgrep -o gunicorn) sleep 10""",
        },
        "sources": [
            ("Context switch - Wikipedia", "https://en.wikipedia.org/wiki/Context_switch"),
            ("문맥 교환 - 위키백과", "https://ko.wikipedia.org/wiki/문맥_교환"),
            ("vmstat(8) - Linux manual page", "https://man7.org/linux/man-pages/man8/vmstat.8.html"),
        ],
    },
    {
        "slug": "cpu-scheduling",
        "title": "CPU 스케줄링",
        "questions": [
            "선점형 스케줄링과 비선점형 스케줄링의 차이를 설명하시오",
            "FCFS, SJF, Round Robin, Priority 스케줄링의 장단점을 비교하시오",
            "Round Robin에서 Time Quantum을 너무 크게 또는 작게 잡으면 어떻게 되나요?",
            "기아(Starvation) 현상과 Aging 기법에 대해 설명하시오",
            "How does the Linux CFS scheduler decide which task runs next?",
            "What metrics are used to evaluate a CPU scheduling algorithm?",
        ],
        "headings": [
            "스케줄링의 목표와 평가 기준",
            "비선점형 알고리즘",
            "선점형 알고리즘",
            "리눅스 CFS",
        ],
        "paragraphs": [
            "CPU 스케줄링은 준비 큐(Ready Queue)에 있는 여러 프로세스 중 어떤 것에 CPU를 할당할지 결정하는 운영체제의 기능이다. 평가 기준으로는 CPU 이용률, 처리량(Throughput), 총 처리 시간(Turnaround Time), 대기 시간(Waiting Time), 응답 시간(Response Time)이 있으며, 배치 서버는 처리량을, 대화형 시스템은 응답 시간을 중시한다.",
            "비선점형(Non-preemptive) 스케줄링은 프로세스가 CPU를 한 번 잡으면 스스로 종료하거나 I/O로 대기할 때까지 빼앗지 않는다. 구현이 단순하고 컨텍스트 스위칭이 적지만, 긴 작업이 CPU를 오래 잡으면 다른 작업이 모두 기다려야 한다. 선점형(Preemptive) 스케줄링은 타이머 인터럽트나 우선순위에 따라 실행 중인 프로세스를 강제로 중단시킬 수 있다.",
            "FCFS(First Come First Served)는 도착한 순서대로 처리하는 가장 단순한 비선점형 방식이다. 하지만 실행 시간이 긴 작업이 앞에 있으면 짧은 작업들이 줄줄이 기다리는 호위 효과(Convoy Effect)가 생긴다. SJF(Shortest Job First)는 실행 시간이 가장 짧은 작업을 먼저 실행해 평균 대기 시간을 최소화하지만, 실제로는 실행 시간을 미리 알기 어렵다.",
            "SJF를 선점형으로 바꾼 것이 SRTF(Shortest Remaining Time First)다. 새로운 작업이 도착했을 때 남은 실행 시간이 현재 작업보다 짧으면 CPU를 빼앗는다. SJF와 SRTF 모두 긴 작업이 계속 뒤로 밀려 영원히 실행되지 못하는 기아(Starvation) 문제가 있으며, 오래 기다린 작업의 우선순위를 점점 높여주는 Aging 기법으로 해결한다.",
            "Round Robin은 각 프로세스에 동일한 Time Quantum을 주고 시간이 끝나면 준비 큐의 맨 뒤로 보내는 선점형 방식이다. 응답 시간이 공평해 시분할 시스템에 적합하다. Time Quantum이 너무 크면 FCFS와 다를 바 없어지고, 너무 작으면 컨텍스트 스위칭 오버헤드가 실제 작업 시간보다 커진다. 보통 10에서 100ms 정도를 사용한다.",
            "Priority 스케줄링은 우선순위가 높은 프로세스에 먼저 CPU를 주며, 선점형과 비선점형 모두 가능하다. Multilevel Queue는 프로세스를 포그라운드, 백그라운드처럼 여러 큐로 나누고 큐마다 다른 알고리즘을 적용한다. Multilevel Feedback Queue는 여기에 더해 CPU를 오래 쓰는 프로세스는 낮은 큐로 내리고 오래 기다린 프로세스는 올려 동적으로 조정한다.",
            "리눅스의 CFS(Completely Fair Scheduler)는 각 태스크가 실제로 CPU를 사용한 시간에 nice 값 기반 가중치를 적용한 vruntime을 기록하고, vruntime이 가장 작은 태스크를 다음에 실행한다. 태스크들은 vruntime을 키로 하는 레드-블랙 트리에 저장되어 O(log n)으로 다음 태스크를 찾는다. 리눅스 6.6부터는 EEVDF 스케줄러로 대체되었다.",
            "실무에서 스케줄링은 OS뿐 아니라 여러 곳에 등장한다. Kubernetes의 CPU request와 limit, 스레드 풀의 작업 큐, 메시지 큐 consumer의 우선순위 처리 모두 비슷한 고민을 한다. 면접에서는 알고리즘 이름을 나열하기보다 각 방식이 어떤 지표를 최적화하고 어떤 부작용이 있는지를 함께 설명하는 것이 좋다.",
        ],
        "bullets": [
            "FCFS: 도착 순서대로, Convoy Effect 발생 가능",
            "SJF: 평균 대기 시간 최소, 실행 시간 예측이 어려움",
            "SRTF: SJF의 선점형 버전",
            "Round Robin: Time Quantum 단위로 돌아가며 실행",
            "Priority: 우선순위 기반, 기아 문제를 Aging으로 해결",
            "MLFQ: 프로세스의 행동에 따라 큐를 이동시킨다",
            "CFS는 vruntime이 가장 작은 태스크를 레드-블랙 트리에서 고른다",
            "대화형 시스템은 응답 시간, 배치 시스템은 처리량을 중시한다",
        ],
        "table": {
            "header": ["구분", "선점 여부", "특징"],
            "rows": [
                ["FCFS", "비선점", "단순하지만 Convoy Effect"],
                ["SJF", "비선점", "평균 대기 시간 최소, 기아 발생"],
                ["SRTF", "선점", "남은 시간이 짧은 작업 우선"],
                ["Round Robin", "선점", "공평한 응답 시간, Quantum 설정이 중요"],
                ["Priority", "둘 다 가능", "Aging으로 기아 방지"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""from collections import deque


def round_robin(jobs: dict[str, int], quantum: int) -> dict[str, int]:
    # 각 작업의 완료 시각을 반환한다 (모든 작업은 0초에 도착)
    queue = deque(jobs.items())
    clock, finished = 0, {}
    while queue:
        name, remaining = queue.popleft()
        run = min(quantum, remaining)
        clock += run
        if remaining > run:
            queue.append((name, remaining - run))
        else:
            finished[name] = clock
    return finished


print(round_robin({"P1": 24, "P2": 3, "P3": 3}, quantum=4))
# {'P2': 7, 'P3': 10, 'P1': 30}""",
        },
        "sources": [
            ("Scheduling (computing) - Wikipedia", "https://en.wikipedia.org/wiki/Scheduling_(computing)"),
            ("CFS Scheduler - The Linux Kernel documentation", "https://docs.kernel.org/scheduler/sched-design-CFS.html"),
            ("Operating Systems: Three Easy Pieces - Scheduling: Introduction", "https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched.pdf"),
        ],
    },
    {
        "slug": "virtual-memory",
        "title": "가상 메모리와 페이징",
        "questions": [
            "가상 메모리가 필요한 이유와 동작 방식을 설명하시오",
            "페이징(Paging)과 세그멘테이션(Segmentation)의 차이는 무엇인가?",
            "Page Fault가 발생하면 운영체제는 어떤 순서로 처리하나요?",
            "LRU 페이지 교체 알고리즘과 스래싱(Thrashing)에 대해 설명하시오",
            "What is a TLB and why does it matter for virtual memory performance?",
            "What happens when a process touches a page that is not in physical memory?",
        ],
        "headings": [
            "가상 메모리의 개념",
            "페이징과 페이지 테이블",
            "Page Fault와 페이지 교체",
            "TLB와 스래싱",
        ],
        "paragraphs": [
            "가상 메모리(Virtual Memory)는 각 프로세스에게 실제 물리 메모리 크기와 상관없이 독립적이고 연속적인 큰 주소 공간이 있는 것처럼 보이게 하는 기법이다. 프로세스는 가상 주소만 사용하고, CPU의 MMU(Memory Management Unit)가 페이지 테이블을 참조해 이를 물리 주소로 변환한다. 덕분에 프로세스 간 메모리 보호와 효율적인 메모리 활용이 가능해진다.",
            "페이징(Paging)은 가상 주소 공간을 고정 크기의 페이지로, 물리 메모리를 같은 크기의 프레임으로 나누어 매핑하는 방식이다. 일반적으로 페이지 크기는 4KB이며, 가상 주소는 페이지 번호와 오프셋으로 나뉜다. 고정 크기라 외부 단편화는 생기지 않지만, 마지막 페이지의 남는 공간만큼 내부 단편화가 생길 수 있다.",
            "세그멘테이션(Segmentation)은 메모리를 코드, 데이터, 스택처럼 논리적인 의미 단위의 가변 크기 세그먼트로 나누는 방식이다. 의미 단위로 보호와 공유를 설정하기 쉽지만, 크기가 제각각이라 메모리 사이사이에 쓸 수 없는 빈 공간이 생기는 외부 단편화 문제가 있다. 현대 x86-64 운영체제는 사실상 페이징만 사용한다.",
            "64비트 주소 공간을 단일 페이지 테이블로 표현하면 테이블 자체가 너무 커진다. 그래서 x86-64는 4단계(최근에는 5단계) 다단계 페이지 테이블을 사용해 실제로 사용하는 영역의 테이블만 만든다. 페이지 테이블 엔트리에는 프레임 번호와 함께 유효 비트(valid), 수정 비트(dirty), 접근 비트, 읽기와 쓰기 권한 비트가 들어 있다.",
            "프로세스가 접근한 페이지가 물리 메모리에 없으면 Page Fault가 발생한다. CPU는 트랩을 통해 커널로 제어를 넘기고, 커널은 주소가 유효한지 확인한 뒤 디스크나 스왑 영역에서 해당 페이지를 빈 프레임에 읽어온다. 페이지 테이블을 갱신한 다음 중단된 명령어를 다시 실행한다. 빈 프레임이 없다면 페이지 교체 알고리즘으로 내보낼 페이지를 고른다.",
            "페이지 교체 알고리즘에는 가장 먼저 들어온 페이지를 내보내는 FIFO, 앞으로 가장 오래 사용되지 않을 페이지를 내보내는 이론상 최적의 OPT, 가장 오랫동안 사용되지 않은 페이지를 내보내는 LRU가 있다. LRU는 정확히 구현하기 비싸서 실제 OS는 접근 비트를 활용한 Clock(Second Chance) 알고리즘 같은 근사 방식을 쓴다.",
            "TLB(Translation Lookaside Buffer)는 최근에 사용한 가상 주소와 물리 주소의 변환 결과를 저장하는 MMU 내부의 고속 캐시다. 매번 메모리에 있는 페이지 테이블을 여러 단계 읽으면 느리기 때문에 TLB 적중률이 성능에 큰 영향을 준다. 데이터베이스 서버에서 2MB 이상의 Huge Page를 사용하는 이유도 TLB 미스를 줄이기 위해서다.",
            "스래싱(Thrashing)은 프로세스에 할당된 프레임이 워킹 셋(Working Set)보다 작아서 Page Fault가 끊임없이 발생하고, CPU가 실제 작업 대신 페이지 교체에만 시간을 쓰는 상태다. 멀티프로그래밍 정도를 높일수록 CPU 이용률이 오르다가 어느 순간 급격히 떨어진다. 워킹 셋 모델이나 Page Fault 빈도 기반으로 프로세스 수를 조절해 해결한다.",
        ],
        "bullets": [
            "MMU가 페이지 테이블을 보고 가상 주소를 물리 주소로 변환한다",
            "페이징: 고정 크기, 외부 단편화 없음, 내부 단편화 가능",
            "세그멘테이션: 가변 크기, 논리 단위, 외부 단편화 발생",
            "Page Fault 처리: 트랩, 디스크에서 로드, 페이지 테이블 갱신, 명령어 재실행",
            "교체 알고리즘: FIFO, OPT, LRU, Clock",
            "TLB는 주소 변환 결과를 캐시해 메모리 접근 횟수를 줄인다",
            "Huge Page는 TLB 미스를 줄이는 데 도움이 된다",
            "스래싱은 워킹 셋보다 적은 프레임을 받았을 때 발생한다",
        ],
        "table": {
            "header": ["구분", "페이징", "세그멘테이션"],
            "rows": [
                ["분할 단위", "고정 크기 페이지", "가변 크기 세그먼트"],
                ["단편화", "내부 단편화", "외부 단편화"],
                ["주소 구성", "페이지 번호와 오프셋", "세그먼트 번호와 오프셋"],
                ["장점", "메모리 할당이 단순함", "논리 단위 보호와 공유가 쉬움"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""from collections import OrderedDict


def count_page_faults(references: list[int], frames: int) -> int:
    memory: OrderedDict[int, None] = OrderedDict()
    faults = 0
    for page in references:
        if page in memory:
            memory.move_to_end(page)  # 최근 사용으로 갱신
            continue
        faults += 1
        if len(memory) >= frames:
            memory.popitem(last=False)  # 가장 오래 사용되지 않은 페이지 교체
        memory[page] = None
    return faults


refs = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2]
print(count_page_faults(refs, frames=3))  # 9""",
        },
        "sources": [
            ("Virtual memory - Wikipedia", "https://en.wikipedia.org/wiki/Virtual_memory"),
            ("Memory paging - Wikipedia", "https://en.wikipedia.org/wiki/Memory_paging"),
            ("Concepts overview - The Linux Kernel documentation", "https://docs.kernel.org/admin-guide/mm/concepts.html"),
        ],
    },
    {
        "slug": "mutex-semaphore",
        "title": "뮤텍스와 세마포어",
        "questions": [
            "뮤텍스(Mutex)와 세마포어(Semaphore)의 차이를 설명하시오",
            "임계 영역(Critical Section) 문제를 해결하기 위한 3가지 조건은 무엇인가?",
            "바이너리 세마포어와 뮤텍스는 같은 것인가요?",
            "스핀락(Spinlock)은 어떤 상황에서 뮤텍스보다 유리한가?",
            "What is a race condition, and how do mutexes prevent it?",
            "When would you use a counting semaphore instead of a mutex?",
        ],
        "headings": [
            "Race Condition과 임계 영역",
            "Mutex",
            "Semaphore",
            "Spinlock과 Monitor",
        ],
        "paragraphs": [
            "Race Condition은 여러 스레드가 공유 자원에 동시에 접근할 때 실행 순서에 따라 결과가 달라지는 현상이다. 예를 들어 count += 1은 읽기, 더하기, 쓰기의 세 단계로 이루어져 두 스레드가 동시에 실행하면 증가가 한 번 누락될 수 있다. 이렇게 공유 자원에 접근하는 코드 영역을 임계 영역(Critical Section)이라고 한다.",
            "임계 영역 문제의 해결책은 세 가지 조건을 만족해야 한다. 한 번에 하나의 프로세스만 임계 영역에 들어가는 상호 배제(Mutual Exclusion), 임계 영역이 비어 있으면 들어가려는 프로세스가 진입할 수 있어야 하는 진행(Progress), 그리고 진입을 요청한 프로세스가 무한히 기다리지 않아야 하는 한정 대기(Bounded Waiting)이다.",
            "뮤텍스(Mutex, Mutual Exclusion)는 하나의 스레드만 임계 영역에 들어가도록 보장하는 락이다. lock()으로 획득하고 unlock()으로 해제하며, 이미 다른 스레드가 잡고 있으면 대기 상태로 잠든다. 중요한 특징은 소유권(ownership)이 있다는 점으로, 락을 획득한 스레드만 해제할 수 있다.",
            "세마포어(Semaphore)는 다익스트라가 제안한 동기화 도구로, 정수 카운터와 P(wait), V(signal) 연산으로 구성된다. P 연산은 값을 1 감소시키고 0보다 작아지면 대기하며, V 연산은 값을 1 증가시키고 대기 중인 스레드를 깨운다. 카운터 값만큼의 스레드가 동시에 자원에 접근할 수 있어, DB 커넥션이 10개라면 초기값 10인 카운팅 세마포어로 동시 사용을 제한할 수 있다.",
            "값이 0과 1만 가지는 바이너리 세마포어는 뮤텍스와 비슷해 보이지만 차이가 있다. 세마포어는 소유권 개념이 없어 획득하지 않은 다른 스레드가 signal을 보낼 수 있고, 그래서 스레드 간 이벤트 순서를 맞추는 신호 용도로도 쓰인다. 반면 뮤텍스는 소유자만 해제할 수 있어 상호 배제 목적에 더 안전하고, 우선순위 상속 같은 기능을 지원하기도 한다.",
            "스핀락(Spinlock)은 락을 얻을 때까지 잠들지 않고 반복문을 돌며 계속 확인하는 방식이다. CPU를 소모하지만 컨텍스트 스위칭이 없기 때문에 임계 영역이 매우 짧고 멀티코어 환경일 때는 뮤텍스보다 빠르다. 운영체제 커널의 인터럽트 핸들러처럼 잠들 수 없는 곳에서도 스핀락을 사용한다.",
            "모니터(Monitor)는 뮤텍스와 조건 변수(Condition Variable)를 묶어 언어 차원에서 제공하는 고수준 동기화 구조다. Java의 synchronized 블록과 wait(), notify()가 대표적인 예로, 개발자가 락 해제를 잊는 실수를 줄여준다. Python의 threading.Condition도 같은 개념을 제공한다.",
            "동기화 도구를 잘못 쓰면 교착 상태나 기아, 우선순위 역전(Priority Inversion) 같은 문제가 생긴다. 화성 탐사선 Mars Pathfinder가 우선순위 역전 때문에 반복적으로 리셋된 사례가 유명하며, 우선순위 상속(Priority Inheritance)을 켜는 것으로 해결했다. 가능하면 락의 범위를 작게 유지하고 atomic 연산이나 불변 객체를 활용하는 것이 좋다.",
        ],
        "bullets": [
            "Mutex: 1개의 스레드만 진입, 소유권 있음",
            "Semaphore: N개의 스레드까지 진입, 소유권 없음",
            "P(wait)는 카운터 감소, V(signal)는 카운터 증가",
            "바이너리 세마포어는 신호 용도로도 쓸 수 있다",
            "Spinlock은 짧은 임계 영역과 멀티코어 환경에 적합하다",
            "Monitor는 락과 조건 변수를 묶은 고수준 구조다",
            "임계 영역 조건: 상호 배제, 진행, 한정 대기",
            "우선순위 역전은 우선순위 상속으로 완화한다",
        ],
        "table": {
            "header": ["구분", "Mutex", "Semaphore"],
            "rows": [
                ["동시 접근 수", "1", "카운터 값 N"],
                ["소유권", "있음, 획득한 스레드만 해제", "없음, 다른 스레드도 signal 가능"],
                ["주요 용도", "상호 배제", "자원 개수 제한, 스레드 간 신호"],
                ["예시", "공유 변수 보호", "커넥션 풀 동시 사용 제한"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import threading
import time

pool = threading.BoundedSemaphore(3)  # 동시에 3개까지만 DB 커넥션 사용
lock = threading.Lock()  # 공유 카운터 보호용 뮤텍스
active = 0

def query(worker: int) -> None:
    global active
    with pool:
        with lock:
            active += 1
            print(f"worker {worker} start, active={active}")
        time.sleep(0.1)
        with lock:
            active -= 1

threads = [threading.Thread(target=query, args=(i,)) for i in range(8)]
for t in threads:
    t.start()""",
        },
        "sources": [
            ("Semaphore (programming) - Wikipedia", "https://en.wikipedia.org/wiki/Semaphore_(programming)"),
            ("threading - Semaphore Objects (Python docs)", "https://docs.python.org/3/library/threading.html#semaphore-objects"),
            ("Priority inversion - Wikipedia", "https://en.wikipedia.org/wiki/Priority_inversion"),
        ],
    },
    {
        "slug": "garbage-collection",
        "title": "가비지 컬렉션",
        "questions": [
            "가비지 컬렉션(GC)의 동작 원리를 Mark and Sweep 기준으로 설명하시오",
            "JVM의 Young Generation과 Old Generation을 나누는 이유는 무엇인가?",
            "Stop-the-world란 무엇이고, G1 GC와 ZGC는 이를 어떻게 줄이나요?",
            "Reference Counting 방식의 한계는 무엇이며 Python은 이를 어떻게 보완하나요?",
            "How does generational garbage collection take advantage of the weak generational hypothesis?",
            "What can cause memory leaks in a garbage-collected language like Java or JavaScript?",
        ],
        "headings": [
            "GC가 하는 일",
            "Reference Counting과 Tracing GC",
            "JVM의 Generational GC",
            "Stop-the-world와 GC 튜닝",
        ],
        "paragraphs": [
            "가비지 컬렉션(Garbage Collection)은 프로그램이 더 이상 사용하지 않는 힙 메모리를 런타임이 자동으로 찾아 해제하는 기능이다. 개발자가 free()를 직접 호출하지 않아도 되므로 메모리 해제 누락이나 이미 해제한 메모리를 다시 쓰는 dangling pointer 문제를 크게 줄여준다. 대신 GC가 실행되는 동안 CPU와 일시 정지 시간이라는 비용을 치러야 한다.",
            "Reference Counting은 객체마다 자신을 가리키는 참조 수를 세다가 0이 되는 순간 즉시 해제하는 방식이다. 해제 시점이 예측 가능하다는 장점이 있지만, 두 객체가 서로를 참조하는 순환 참조는 카운트가 0이 되지 않아 해제되지 않는다. CPython은 기본적으로 Reference Counting을 쓰고, 순환 참조를 찾기 위한 세대별 cycle collector를 추가로 운영한다.",
            "Tracing GC의 기본인 Mark and Sweep은 스택 변수, 전역 변수 같은 GC Root에서 출발해 참조를 따라가며 도달 가능한 객체에 표시(Mark)하고, 표시되지 않은 객체를 해제(Sweep)한다. 순환 참조도 Root에서 도달할 수 없다면 수거된다. 해제 후 생긴 빈 공간을 모으기 위해 살아남은 객체를 한쪽으로 옮기는 Compact 단계를 추가하기도 한다.",
            "JVM은 '대부분의 객체는 금방 죽는다'는 약한 세대 가설(Weak Generational Hypothesis)에 따라 힙을 Young Generation과 Old Generation으로 나눈다. 새 객체는 Young 영역의 Eden에 할당되고, Minor GC에서 살아남으면 Survivor 영역을 오가다가 일정 횟수 이상 살아남으면 Old 영역으로 승격(promotion)된다. Young 영역만 자주 청소하면 적은 비용으로 대부분의 쓰레기를 치울 수 있다.",
            "Stop-the-world는 GC를 수행하기 위해 애플리케이션 스레드를 모두 멈추는 것을 말한다. Old 영역까지 정리하는 Full GC에서 수 초 동안 멈추면 API 응답 지연이나 타임아웃으로 이어지고, 로드밸런서의 Health Check까지 실패해 서버가 풀에서 빠지기도 한다. GC 튜닝의 핵심 목표는 이 정지 시간을 줄이거나 예측 가능하게 만드는 것이다.",
            "G1 GC는 힙을 같은 크기의 여러 Region으로 나누고, 쓰레기가 가장 많은 Region부터 우선 수거해 목표 정지 시간(MaxGCPauseMillis)을 지키려고 한다. Java 9부터 기본 GC다. ZGC와 Shenandoah는 객체 이동까지 애플리케이션과 동시에(concurrent) 수행해 힙 크기와 상관없이 정지 시간을 1ms 수준으로 유지하는 것을 목표로 한다.",
            "GC가 있어도 메모리 누수는 생긴다. 더 이상 필요 없는 객체를 static 컬렉션이나 캐시에 계속 넣어두면 여전히 도달 가능하므로 수거되지 않는다. JavaScript에서는 제거된 DOM 노드를 참조하는 이벤트 리스너, 해제하지 않은 setInterval, 클로저가 붙잡고 있는 큰 객체가 대표적인 누수 원인이다.",
            "GC 문제를 분석할 때는 먼저 GC 로그를 켜서 GC 빈도와 정지 시간을 확인한다. Old 영역 사용량이 Full GC 후에도 계속 늘어난다면 누수를 의심하고 힙 덤프를 떠서 Eclipse MAT 같은 도구로 어떤 객체가 메모리를 차지하는지 분석한다. 무작정 힙 크기를 늘리면 Full GC 한 번의 정지 시간이 오히려 길어질 수 있다.",
        ],
        "bullets": [
            "GC Root: 스택의 지역 변수, static 변수, JNI 참조 등",
            "Reference Counting은 순환 참조를 해결하지 못한다",
            "Mark and Sweep은 Root에서 도달할 수 없는 객체를 수거한다",
            "Young Generation: Eden과 Survivor, Minor GC",
            "Old Generation: 오래 살아남은 객체, Major GC 또는 Full GC",
            "Stop-the-world 시간을 줄이는 것이 GC 튜닝의 목표다",
            "G1은 Region 단위 수거, ZGC는 concurrent compaction을 사용한다",
            "캐시와 static 컬렉션, 이벤트 리스너는 흔한 누수 원인이다",
        ],
        "table": {
            "header": ["구분", "Reference Counting", "Tracing (Mark and Sweep)"],
            "rows": [
                ["해제 시점", "참조 수가 0이 되는 즉시", "GC 실행 시 일괄 처리"],
                ["순환 참조", "해제하지 못함", "해제 가능"],
                ["오버헤드", "참조 변경마다 카운트 갱신", "GC 중 일시 정지"],
                ["사용 예", "CPython, Swift ARC", "JVM, V8, Go"],
            ],
        },
        "code": {
            "language": "bash",
            "source": r"""# G1 GC 사용, 목표 정지 시간 200ms, GC 로그 기록
java -Xms2g -Xmx2g \
  -XX:+UseG1GC \
  -XX:MaxGCPauseMillis=200 \
  -Xlog:gc*:file=/var/log/app/gc.log:time,uptime,level,tags \
  -XX:+HeapDumpOnOutOfMemoryError \
  -XX:HeapDumpPath=/var/log/app/heap.hprof \
  -jar studyboard-api.jar

# 실행 중인 JVM의 GC 통계를 1초마다 확인
jstat -gcutil $(pgrep -f studyboard-api.jar) 1000

# ZGC로 바꿔서 정지 시간 비교 (JDK 21 이상)
java -XX:+UseZGC -XX:+ZGenerational -Xmx2g -jar studyboard-api.jar""",
        },
        "sources": [
            ("Java Garbage Collection Tuning Guide (Oracle)", "https://docs.oracle.com/en/java/javase/17/gctuning/introduction-garbage-collection-tuning.html"),
            ("Memory management - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Memory_management"),
            ("gc - Garbage Collector interface (Python docs)", "https://docs.python.org/3/library/gc.html"),
        ],
    },
    {
        "slug": "db-index",
        "title": "데이터베이스 인덱스",
        "questions": [
            "인덱스란 무엇이며 B-Tree 인덱스가 조회를 빠르게 만드는 원리를 설명하시오",
            "인덱스를 많이 만들면 안 되는 이유는 무엇인가?",
            "복합 인덱스(Composite Index)에서 컬럼 순서가 중요한 이유는?",
            "B+Tree와 Hash 인덱스는 어떤 쿼리에 각각 유리한가요?",
            "Why do most relational databases use B+Trees instead of binary search trees for indexes?",
            "What is a covering index, and how can EXPLAIN tell you whether an index is used?",
        ],
        "headings": [
            "인덱스가 필요한 이유",
            "B-Tree와 B+Tree",
            "복합 인덱스와 커버링 인덱스",
            "인덱스가 타지 않는 경우",
        ],
        "paragraphs": [
            "인덱스(Index)는 테이블의 특정 컬럼 값과 해당 행의 위치를 정렬된 형태로 저장해 조회 속도를 높이는 자료구조다. 인덱스가 없으면 원하는 행을 찾기 위해 테이블 전체를 읽는 Full Table Scan이 필요하지만, 인덱스가 있으면 O(log N) 탐색으로 바로 찾아갈 수 있다. 책 뒤의 색인을 떠올리면 이해하기 쉽다.",
            "대부분의 RDBMS는 B-Tree 계열, 특히 B+Tree를 인덱스로 사용한다. B+Tree는 하나의 노드에 수백 개의 키를 담는 균형 트리라 높이가 3에서 4 정도로 낮게 유지되고, 노드 크기를 디스크 페이지 크기에 맞춰 디스크 I/O 횟수를 최소화한다. 이진 탐색 트리는 노드당 키가 하나뿐이라 높이가 커지고 디스크 접근이 많아져 적합하지 않다.",
            "B+Tree는 B-Tree와 달리 실제 데이터(또는 행 포인터)를 리프 노드에만 저장하고, 리프 노드들을 연결 리스트로 이어 둔다. 그래서 내부 노드에 더 많은 키를 담을 수 있고, BETWEEN이나 ORDER BY 같은 범위 조회 시 리프 노드를 순서대로 따라가기만 하면 된다. 범위 검색이 많은 데이터베이스에 특히 유리한 구조다.",
            "인덱스는 공짜가 아니다. INSERT, UPDATE, DELETE가 일어날 때마다 인덱스도 함께 갱신해야 하고, 페이지 분할이 발생하면 쓰기 비용이 더 커진다. 인덱스 자체도 저장 공간을 차지한다. 그래서 조회 패턴을 분석해 자주 쓰는 WHERE, JOIN, ORDER BY 조건에만 인덱스를 만들고, 쓰기가 많은 테이블에서는 인덱스 수를 최소화해야 한다.",
            "복합 인덱스는 여러 컬럼을 묶어 만든 인덱스로, 첫 번째 컬럼으로 정렬하고 같은 값 안에서 두 번째 컬럼으로 정렬하는 식으로 저장된다. 따라서 (study_id, created_at) 인덱스는 study_id 조건이 있는 쿼리에는 사용되지만 created_at만으로 검색하면 사용되지 않는다. 일반적으로 동등 조건 컬럼을 앞에, 범위 조건 컬럼을 뒤에 두고 카디널리티도 함께 고려한다.",
            "커버링 인덱스(Covering Index)는 쿼리에 필요한 모든 컬럼이 인덱스에 포함되어 있어 테이블 본문에 접근하지 않고 인덱스만으로 결과를 돌려줄 수 있는 경우다. MySQL의 EXPLAIN에서 Extra에 Using index가, PostgreSQL에서는 Index Only Scan이 보이면 커버링 인덱스가 사용된 것이다. 랜덤 I/O가 줄어 성능 차이가 크다.",
            "인덱스가 있어도 사용되지 않는 경우가 있다. 인덱스 컬럼에 함수나 연산을 적용한 경우(WHERE YEAR(created_at) = 2024), LIKE '%키워드'처럼 앞부분이 와일드카드인 경우, 문자열 컬럼을 숫자와 비교해 암묵적 형변환이 일어나는 경우가 대표적이다. 또 조회 결과가 전체 행의 상당 부분이라면 옵티마이저가 Full Scan이 더 빠르다고 판단하기도 한다.",
            "Hash 인덱스는 키를 해시해서 O(1)에 가깝게 동등 비교(=)를 처리하지만, 정렬 순서가 없어 범위 검색이나 정렬에는 쓸 수 없다. 전문 검색에는 역색인(Inverted Index)을 사용하는 PostgreSQL의 GIN 인덱스나 Elasticsearch 같은 별도 도구가 필요하다. 한국어 검색이라면 형태소 분석기나 n-gram 토크나이저도 함께 고려해야 한다.",
        ],
        "bullets": [
            "인덱스는 조회를 빠르게, 쓰기를 느리게 만든다",
            "B+Tree는 리프 노드에만 데이터를 두고 리프끼리 연결한다",
            "트리 높이가 낮아 디스크 I/O 횟수가 적다",
            "카디널리티가 높은 컬럼일수록 인덱스 효율이 좋다",
            "복합 인덱스는 선두 컬럼 조건이 있어야 사용된다",
            "커버링 인덱스는 테이블 접근 없이 인덱스만으로 응답한다",
            "인덱스 컬럼에 함수를 적용하면 인덱스를 타지 않는다",
            "EXPLAIN으로 실행 계획을 반드시 확인한다",
        ],
        "table": {
            "header": ["구분", "B+Tree 인덱스", "Hash 인덱스"],
            "rows": [
                ["동등 조건", "O(log N)", "평균 O(1)"],
                ["범위 조건", "지원", "지원하지 않음"],
                ["정렬", "인덱스 순서 활용 가능", "불가능"],
                ["대표 사용처", "대부분의 RDBMS 기본 인덱스", "메모리 테이블, 키-값 조회"],
            ],
        },
        "code": {
            "language": "sql",
            "source": r"""-- 스터디별 최신 질문 목록 조회를 위한 복합 인덱스
CREATE INDEX idx_question_study_created
    ON qa_question (study_id, created_at DESC);

-- 인덱스를 타는 쿼리
EXPLAIN ANALYZE
SELECT id, title, created_at
  FROM qa_question
 WHERE study_id = 3
 ORDER BY created_at DESC
 LIMIT 20;

-- 선두 컬럼 조건이 없어서 인덱스를 타지 못하는 쿼리
EXPLAIN
SELECT id, title FROM qa_question WHERE created_at >= '2024-01-01';

-- 함수 적용 대신 범위 조건으로 바꾸기
SELECT count(*) FROM qa_question
 WHERE created_at >= '2024-01-01' AND created_at < '2025-01-01';""",
        },
        "sources": [
            ("PostgreSQL Documentation - Index Types", "https://www.postgresql.org/docs/current/indexes-types.html"),
            ("MySQL 8.0 Reference Manual - How MySQL Uses Indexes", "https://dev.mysql.com/doc/refman/8.0/en/mysql-indexes.html"),
            ("B+ tree - Wikipedia", "https://en.wikipedia.org/wiki/B%2B_tree"),
        ],
    },
    {
        "slug": "transaction-isolation",
        "title": "트랜잭션과 격리 수준",
        "questions": [
            "트랜잭션의 ACID 속성을 각각 예를 들어 설명하시오",
            "트랜잭션 격리 수준 4가지와 각 수준에서 발생할 수 있는 이상 현상을 설명하시오",
            "Dirty Read, Non-Repeatable Read, Phantom Read의 차이는 무엇인가?",
            "MySQL InnoDB의 기본 격리 수준은 무엇이고 MVCC는 어떻게 동작하나요?",
            "What does each letter in ACID mean, and how do databases implement durability?",
            "Why don't most applications run every transaction at the SERIALIZABLE isolation level?",
        ],
        "headings": [
            "ACID",
            "격리 수준과 이상 현상",
            "MVCC와 락",
            "실무에서의 선택",
        ],
        "paragraphs": [
            "트랜잭션은 하나의 논리적인 작업 단위로, 그 안의 연산이 모두 성공하거나 모두 실패해야 한다. 계좌 이체에서 출금은 성공했는데 입금이 실패한다면 돈이 사라지는 문제가 생기므로, 두 연산을 하나의 트랜잭션으로 묶고 중간에 실패하면 ROLLBACK으로 처음 상태로 되돌린다.",
            "ACID는 트랜잭션이 보장해야 하는 네 가지 성질이다. 원자성(Atomicity)은 전부 반영되거나 전혀 반영되지 않음을, 일관성(Consistency)은 제약 조건을 항상 만족하는 상태를 유지함을, 격리성(Isolation)은 동시에 실행되는 트랜잭션이 서로 간섭하지 않음을, 지속성(Durability)은 커밋된 결과가 장애가 나도 사라지지 않음을 의미한다.",
            "지속성은 보통 WAL(Write-Ahead Logging)로 구현한다. 데이터 페이지를 디스크에 쓰기 전에 변경 내용을 로그에 먼저 기록하고 fsync로 디스크에 내려야 커밋이 완료된다. 서버가 갑자기 죽어도 재시작 시 로그를 재실행(redo)해 커밋된 변경을 복구하고, 커밋되지 않은 변경은 undo로 되돌린다.",
            "격리 수준은 성능과 정합성 사이의 트레이드오프를 조절하는 옵션이다. SQL 표준은 READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SERIALIZABLE 네 단계를 정의한다. 격리 수준이 높을수록 이상 현상은 줄어들지만 락 대기나 트랜잭션 재시도가 늘어 동시 처리량이 떨어진다.",
            "Dirty Read는 다른 트랜잭션이 아직 커밋하지 않은 데이터를 읽는 현상으로, 그 트랜잭션이 롤백되면 존재하지 않는 값을 읽은 셈이 된다. Non-Repeatable Read는 같은 행을 두 번 읽었는데 그 사이 다른 트랜잭션의 UPDATE 커밋으로 값이 달라지는 현상이다. Phantom Read는 같은 조건으로 두 번 조회했는데 다른 트랜잭션의 INSERT로 행의 개수가 달라지는 현상이다.",
            "MVCC(Multi-Version Concurrency Control)는 데이터를 변경할 때 이전 버전을 남겨두고, 각 트랜잭션이 자신의 시작 시점에 맞는 스냅샷을 읽게 하는 방식이다. 읽기가 쓰기를 막지 않고 쓰기도 읽기를 막지 않아 동시성이 높다. MySQL InnoDB는 undo 로그로, PostgreSQL은 튜플 자체에 여러 버전을 두는 방식으로 MVCC를 구현하며, PostgreSQL에서 VACUUM이 필요한 이유도 여기에 있다.",
            "MySQL InnoDB의 기본 격리 수준은 REPEATABLE READ이고, PostgreSQL과 Oracle은 READ COMMITTED가 기본이다. InnoDB는 REPEATABLE READ에서도 Next-Key Lock으로 대부분의 Phantom Read를 막는다. PostgreSQL의 SERIALIZABLE은 SSI(Serializable Snapshot Isolation)로 구현되어, 직렬화 충돌이 감지되면 트랜잭션을 실패시키고 애플리케이션이 재시도하게 한다.",
            "실무에서는 대부분 기본 격리 수준을 유지하고, 정합성이 중요한 일부 로직에서만 SELECT ... FOR UPDATE로 비관적 락을 걸거나 version 컬럼을 이용한 낙관적 락을 사용한다. 모든 트랜잭션을 SERIALIZABLE로 돌리면 안전하지만 충돌과 재시도가 많아져 처리량이 크게 떨어지기 때문이다. 트랜잭션은 짧게 유지하고 트랜잭션 안에서 외부 API를 호출하지 않는 것도 중요하다.",
        ],
        "bullets": [
            "Atomicity: 전부 성공하거나 전부 실패한다",
            "Consistency: 제약 조건을 위반하는 상태로 끝나지 않는다",
            "Isolation: 동시 실행 트랜잭션이 서로 간섭하지 않는다",
            "Durability: 커밋된 데이터는 장애 후에도 유지된다",
            "READ COMMITTED는 Dirty Read를 막는다",
            "REPEATABLE READ는 Non-Repeatable Read까지 막는다",
            "SERIALIZABLE은 Phantom Read까지 막지만 처리량이 가장 낮다",
            "MVCC 덕분에 읽기와 쓰기가 서로를 막지 않는다",
        ],
        "table": {
            "header": ["구분", "방지되는 현상", "비고"],
            "rows": [
                ["READ UNCOMMITTED", "없음", "거의 사용하지 않음"],
                ["READ COMMITTED", "Dirty Read", "PostgreSQL, Oracle 기본값"],
                ["REPEATABLE READ", "Dirty Read, Non-Repeatable Read", "MySQL InnoDB 기본값"],
                ["SERIALIZABLE", "Phantom Read까지 모두", "동시성이 가장 낮음"],
            ],
        },
        "code": {
            "language": "sql",
            "source": r"""-- 세션 A
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM account WHERE id = 1;   -- 10000

-- 세션 B (다른 커넥션)
BEGIN;
UPDATE account SET balance = balance - 3000 WHERE id = 1;
COMMIT;

-- 세션 A: 스냅샷 기준으로 읽으므로 여전히 10000
SELECT balance FROM account WHERE id = 1;
COMMIT;

-- 비관적 락: 다른 트랜잭션의 수정을 막고 최신 값을 읽는다
BEGIN;
SELECT balance FROM account WHERE id = 1 FOR UPDATE;
UPDATE account SET balance = balance - 5000 WHERE id = 1;
COMMIT;""",
        },
        "sources": [
            ("PostgreSQL Documentation - Transaction Isolation", "https://www.postgresql.org/docs/current/transaction-iso.html"),
            ("MySQL 8.0 Reference Manual - Transaction Isolation Levels", "https://dev.mysql.com/doc/refman/8.0/en/innodb-transaction-isolation-levels.html"),
            ("ACID - Wikipedia", "https://en.wikipedia.org/wiki/ACID"),
        ],
    },
    {
        "slug": "normalization",
        "title": "데이터베이스 정규화",
        "questions": [
            "정규화의 목적과 제1, 제2, 제3 정규형을 예시와 함께 설명하시오",
            "이상 현상(Anomaly)에는 어떤 것들이 있고 정규화로 어떻게 해결되나요?",
            "BCNF는 제3정규형과 어떤 점이 다른가?",
            "반정규화(Denormalization)는 언제 고려해야 하나요?",
            "What problems does database normalization solve?",
            "When is it acceptable to denormalize a schema for read performance?",
        ],
        "headings": [
            "정규화가 필요한 이유",
            "1NF, 2NF, 3NF",
            "BCNF와 함수 종속",
            "반정규화의 트레이드오프",
        ],
        "paragraphs": [
            "정규화(Normalization)는 데이터 중복을 줄이고 이상 현상을 방지하기 위해 테이블을 함수 종속성에 따라 분해하는 과정이다. 중복이 많은 테이블에서는 같은 정보가 여러 곳에 저장되어 한 곳만 수정하면 데이터가 서로 달라지는 문제가 생긴다. 정규화는 '하나의 사실은 한 곳에만 저장한다'는 원칙을 단계적으로 적용한 것이다.",
            "이상 현상에는 세 가지가 있다. 삽입 이상은 불필요한 데이터 없이는 원하는 데이터를 넣을 수 없는 경우, 갱신 이상은 중복된 데이터 중 일부만 수정되어 불일치가 생기는 경우, 삭제 이상은 어떤 데이터를 지우면 함께 있던 다른 정보까지 사라지는 경우다. 예를 들어 스터디원과 스터디 정보를 한 테이블에 두면 마지막 멤버가 탈퇴할 때 스터디 정보도 사라진다.",
            "제1정규형(1NF)은 모든 컬럼이 원자값(Atomic Value)만 가져야 한다는 조건이다. 한 셀에 'network, os, db'처럼 여러 값을 쉼표로 넣거나 tag1, tag2, tag3처럼 반복되는 컬럼을 두면 1NF를 위반한다. 이런 값은 별도의 행이나 별도의 테이블로 분리해야 검색과 집계가 쉬워진다.",
            "제2정규형(2NF)은 1NF를 만족하면서 기본키가 아닌 모든 컬럼이 기본키 전체에 완전 함수 종속되어야 한다는 조건이다. (학생ID, 과목ID)가 기본키인 수강 테이블에 학생 이름이 있다면, 학생 이름은 학생ID에만 종속되는 부분 함수 종속이므로 학생 테이블로 분리해야 한다. 기본키가 단일 컬럼이면 자동으로 2NF를 만족한다.",
            "제3정규형(3NF)은 2NF를 만족하면서 기본키가 아닌 컬럼이 다른 일반 컬럼에 종속되는 이행적 함수 종속이 없어야 한다는 조건이다. 주문 테이블에 고객ID와 고객 주소가 함께 있다면 주소는 주문ID가 아니라 고객ID에 종속되므로 고객 테이블로 분리한다. 실무에서는 보통 3NF까지를 목표로 설계한다.",
            "BCNF(Boyce-Codd Normal Form)는 3NF보다 강화된 조건으로, 모든 결정자가 후보키여야 한다. 3NF는 후보키가 아닌 속성이 후보키의 일부를 결정하는 경우를 허용하지만 BCNF는 이를 허용하지 않는다. 예를 들어 한 강사가 한 과목만 가르치는 수강 테이블에서 강사가 과목을 결정한다면 BCNF를 위해 강사와 과목 테이블을 분리해야 한다.",
            "정규화를 많이 할수록 테이블이 잘게 나뉘어 조회할 때 JOIN이 늘어나고 성능이 떨어질 수 있다. 반정규화(Denormalization)는 읽기 성능을 위해 의도적으로 중복을 허용하는 것으로, 게시글 테이블에 answer_count 컬럼을 두어 매번 COUNT 쿼리를 하지 않는 것이 대표적인 예다. 대신 중복 데이터를 일관되게 갱신하는 책임이 애플리케이션에 생긴다.",
            "반정규화는 실제 쿼리 패턴과 성능 측정 결과를 근거로 결정해야 한다. 먼저 인덱스 추가, 쿼리 개선, 캐시 적용으로 해결할 수 있는지 확인하고, 그래도 부족할 때 집계 컬럼, 요약 테이블, Materialized View 같은 방법을 검토한다. 읽기 전용 분석용 데이터 웨어하우스에서는 스타 스키마처럼 반정규화된 구조가 일반적이다.",
        ],
        "bullets": [
            "1NF: 모든 컬럼은 원자값을 가진다",
            "2NF: 부분 함수 종속을 제거한다",
            "3NF: 이행적 함수 종속을 제거한다",
            "BCNF: 모든 결정자가 후보키가 되도록 한다",
            "삽입, 갱신, 삭제 이상을 방지하는 것이 목적이다",
            "정규화가 지나치면 JOIN이 많아져 조회가 느려질 수 있다",
            "반정규화는 측정 결과를 근거로 최소한으로 적용한다",
            "집계 컬럼을 두면 트리거나 애플리케이션 로직으로 동기화해야 한다",
        ],
        "table": {
            "header": ["구분", "조건", "제거하는 것"],
            "rows": [
                ["1NF", "모든 속성이 원자값", "반복 그룹, 다중 값"],
                ["2NF", "1NF이면서 완전 함수 종속", "부분 함수 종속"],
                ["3NF", "2NF이면서 이행 종속 없음", "이행적 함수 종속"],
                ["BCNF", "모든 결정자가 후보키", "후보키가 아닌 결정자"],
            ],
        },
        "code": {
            "language": "sql",
            "source": r"""-- 정규화 전: study_member(member_id, member_name, study_id, study_name)
-- 정규화 후: 멤버, 스터디, 소속 관계를 각각의 테이블로 분리
CREATE TABLE study (
    id          BIGSERIAL PRIMARY KEY,
    name        VARCHAR(100) NOT NULL
);

CREATE TABLE member (
    id          BIGSERIAL PRIMARY KEY,
    nickname    VARCHAR(20) NOT NULL UNIQUE
);

CREATE TABLE study_membership (
    study_id    BIGINT REFERENCES study (id),
    member_id   BIGINT REFERENCES member (id),
    joined_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (study_id, member_id)
);""",
        },
        "sources": [
            ("Database normalization - Wikipedia", "https://en.wikipedia.org/wiki/Database_normalization"),
            ("데이터베이스 정규화 - 위키백과", "https://ko.wikipedia.org/wiki/데이터베이스_정규화"),
            ("PostgreSQL Documentation - Constraints", "https://www.postgresql.org/docs/current/ddl-constraints.html"),
        ],
    },
    {
        "slug": "cache-strategy",
        "title": "캐시 전략",
        "questions": [
            "캐시를 사용하는 이유와 Cache-Aside 패턴의 동작 방식을 설명하시오",
            "Write-Through, Write-Back(Write-Behind), Write-Around 캐시 전략의 차이는?",
            "Redis를 캐시로 쓸 때 Cache Stampede(Thundering Herd) 문제는 어떻게 해결하나요?",
            "캐시와 DB의 데이터 정합성을 맞추기 위한 방법에는 무엇이 있을까?",
            "What is the cache-aside pattern, and what happens on a cache miss?",
            "How do LRU and LFU eviction policies differ, and which one should a Redis cache use?",
        ],
        "headings": [
            "캐시를 쓰는 이유",
            "읽기 전략: Cache-Aside와 Read-Through",
            "쓰기 전략: Write-Through, Write-Back",
            "캐시 만료와 Cache Stampede",
        ],
        "paragraphs": [
            "캐시(Cache)는 자주 사용하는 데이터를 더 빠른 저장소에 복사해 두고 재사용하는 기법이다. 디스크 기반 DB 조회가 수 ms 걸린다면 메모리 기반 Redis 조회는 1ms 이하로 끝난다. 캐시는 응답 속도를 높일 뿐 아니라 DB로 가는 요청 수를 줄여 부하를 분산하는 효과가 있으며, 전체 요청 중 캐시에서 처리된 비율을 캐시 적중률(Hit Ratio)이라고 한다.",
            "Cache-Aside(Lazy Loading)는 가장 널리 쓰이는 캐시 패턴이다. 애플리케이션이 먼저 캐시를 조회하고, 데이터가 없으면(cache miss) DB에서 읽어 캐시에 저장한 뒤 반환한다. 실제로 요청된 데이터만 캐시에 올라가고 캐시 서버가 죽어도 DB로 서비스가 가능하다는 장점이 있지만, 첫 요청은 항상 느리고 DB 변경이 캐시에 바로 반영되지 않을 수 있다.",
            "Read-Through는 Cache-Aside와 비슷하지만 캐시 미스 시 DB를 조회하는 책임을 애플리케이션이 아니라 캐시 라이브러리나 캐시 계층이 진다는 점이 다르다. 애플리케이션 코드는 단순해지지만 캐시 계층이 데이터 소스를 알아야 한다. Spring의 @Cacheable이나 Caffeine의 LoadingCache가 이런 방식으로 동작한다.",
            "Write-Through는 데이터를 쓸 때 캐시와 DB에 동시에 기록하는 방식으로, 캐시가 항상 최신 상태를 유지하지만 쓰기 지연이 늘어나고 읽히지 않을 데이터도 캐시에 올라간다. Write-Back(Write-Behind)은 캐시에만 먼저 쓰고 나중에 모아서 DB에 반영하는 방식으로 쓰기 성능이 매우 좋지만, 반영 전에 캐시 서버가 죽으면 데이터가 유실될 위험이 있다.",
            "Write-Around는 쓰기는 DB에만 하고 캐시는 건드리지 않거나 해당 키를 삭제하는 방식이다. 보통 Cache-Aside와 함께 사용하며, 데이터를 수정할 때 캐시를 갱신하기보다 삭제(invalidate)하는 편이 안전하다. 두 요청이 동시에 캐시를 갱신하면 순서가 뒤바뀌어 오래된 값이 캐시에 남을 수 있기 때문이다.",
            "캐시에는 반드시 TTL(만료 시간)을 두어 잘못된 데이터가 영원히 남지 않게 한다. 메모리가 가득 찼을 때 무엇을 지울지는 eviction 정책으로 정하는데, Redis는 maxmemory-policy로 allkeys-lru, allkeys-lfu, volatile-ttl 등을 선택할 수 있다. Redis의 기본값은 noeviction이라 캐시 용도로 쓸 때는 LRU나 LFU 정책으로 바꿔주는 것이 일반적이다.",
            "Cache Stampede는 인기 있는 키의 캐시가 만료되는 순간 수많은 요청이 동시에 캐시 미스를 겪고 DB로 몰려가는 현상이다. 이를 막기 위해 한 요청만 DB를 조회하도록 분산 락(SET NX)을 걸거나, 만료 전에 백그라운드에서 미리 갱신하거나, TTL에 랜덤 값(jitter)을 더해 여러 키가 한꺼번에 만료되지 않게 한다.",
            "캐시는 여러 계층에 존재한다. CPU의 L1, L2, L3 캐시, OS의 페이지 캐시, 브라우저 캐시와 HTTP Cache-Control 헤더, CDN 엣지 캐시, 애플리케이션의 로컬 캐시와 Redis 같은 분산 캐시까지 모두 '가까운 곳에 복사해 둔다'는 같은 원리다. 로컬 캐시는 가장 빠르지만 서버마다 값이 달라질 수 있어 분산 캐시와 조합해 2단계로 구성하기도 한다.",
        ],
        "bullets": [
            "Cache-Aside: 애플리케이션이 캐시 조회, 미스 시 DB 조회 후 캐시에 저장",
            "Read-Through: 캐시 계층이 미스 시 직접 DB를 조회",
            "Write-Through: 캐시와 DB에 동시에 쓰기, 정합성 우수",
            "Write-Back: 캐시에 먼저 쓰고 나중에 DB 반영, 유실 위험",
            "데이터 수정 시 캐시 갱신보다 삭제가 안전하다",
            "모든 캐시 키에 TTL을 설정한다",
            "TTL jitter와 분산 락으로 Cache Stampede를 방지한다",
            "Redis 기본 eviction 정책은 noeviction이므로 캐시 용도라면 allkeys-lru 등으로 변경한다",
        ],
        "table": {
            "header": ["구분", "장점", "단점"],
            "rows": [
                ["Cache-Aside", "필요한 데이터만 캐시, 캐시 장애에 강함", "첫 요청이 느림, 일시적 불일치"],
                ["Write-Through", "캐시가 항상 최신", "쓰기 지연 증가"],
                ["Write-Back", "쓰기 성능이 매우 좋음", "캐시 장애 시 데이터 유실"],
                ["Write-Around", "불필요한 캐시 적재 방지", "방금 쓴 데이터 조회 시 캐시 미스"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import json
import random
import redis

r = redis.Redis(host="localhost", port=6379, decode_responses=True)
TTL_SECONDS = 300

def get_question(question_id: int, db) -> dict:
    key = f"question:{question_id}"
    if (cached := r.get(key)) is not None:  # cache hit
        return json.loads(cached)
    question = db.fetch_question(question_id)  # cache miss: DB 조회
    ttl = TTL_SECONDS + random.randint(0, 60)  # jitter로 동시 만료 방지
    r.set(key, json.dumps(question, ensure_ascii=False), ex=ttl)
    return question

def update_question(question_id: int, data: dict, db) -> None:
    db.update_question(question_id, data)
    r.delete(f"question:{question_id}")  # 갱신 대신 무효화""",
        },
        "sources": [
            ("Caching strategies - Amazon ElastiCache", "https://docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/Strategies.html"),
            ("Key eviction - Redis Docs", "https://redis.io/docs/latest/develop/reference/eviction/"),
            ("Cache (computing) - Wikipedia", "https://en.wikipedia.org/wiki/Cache_(computing)"),
        ],
    },
    {
        "slug": "cdn",
        "title": "CDN",
        "questions": [
            "CDN(Content Delivery Network)의 동작 원리와 사용하는 이유를 설명하시오",
            "CDN에서 캐시 무효화(Purge)와 버전 관리된 파일명은 어떻게 사용하나요?",
            "Push CDN과 Pull CDN의 차이는 무엇인가?",
            "Cache-Control 헤더의 max-age, s-maxage, no-cache, no-store는 각각 어떤 의미인가요?",
            "How does a CDN route a user to the nearest edge server?",
            "What kinds of content should not be cached at the CDN edge?",
        ],
        "headings": [
            "CDN이란",
            "엣지 서버 선택과 Anycast",
            "Push CDN vs Pull CDN",
            "Cache-Control과 캐시 무효화",
        ],
        "paragraphs": [
            "CDN(Content Delivery Network)은 전 세계 여러 지역에 분산된 엣지 서버(PoP)에 콘텐츠를 캐시해 두고, 사용자와 가장 가까운 서버에서 응답하게 하는 네트워크다. 서울에 있는 사용자가 미국 버지니아의 원본 서버(Origin)까지 가지 않고 서울 엣지에서 이미지를 받으면 왕복 지연 시간(RTT)이 크게 줄어든다.",
            "CDN을 쓰면 지연 시간 감소 외에도 원본 서버의 트래픽과 대역폭 비용이 줄고, 트래픽이 급증해도 엣지에서 흡수할 수 있다. 또한 대부분의 CDN은 DDoS 방어, WAF, TLS 종료 기능을 함께 제공해 보안 계층 역할도 한다. 정적 파일뿐 아니라 동적 API 응답도 엣지와 원본 사이의 최적화된 네트워크를 통해 더 빠르게 전달할 수 있다.",
            "사용자를 가까운 엣지로 보내는 방법은 크게 두 가지다. DNS 기반 방식은 사용자의 Resolver 위치를 보고 가까운 엣지의 IP를 응답하고, Anycast 방식은 여러 지역의 엣지가 같은 IP를 광고해 BGP 라우팅이 자연스럽게 가장 가까운 엣지로 패킷을 보내게 한다. Cloudflare가 Anycast를 사용하는 대표적인 CDN이다.",
            "Pull CDN은 엣지에 콘텐츠가 없을 때 원본 서버에서 가져와 캐시하는 방식으로 설정이 간단해 가장 많이 쓰인다. 대신 처음 요청은 원본까지 가야 해서 느리다. Push CDN은 운영자가 콘텐츠를 미리 CDN 저장소에 업로드하는 방식으로, 용량이 크고 자주 바뀌지 않는 동영상이나 게임 패치 파일 배포에 적합하다.",
            "CDN의 캐시 동작은 원본 서버가 보내는 Cache-Control 헤더로 제어한다. max-age는 브라우저와 CDN 모두에 적용되는 캐시 유효 시간, s-maxage는 CDN 같은 공유 캐시에만 적용되는 시간이다. no-cache는 캐시는 하되 사용 전에 원본에 재검증하라는 뜻이고, no-store는 아예 저장하지 말라는 뜻이라 둘을 혼동하지 않아야 한다.",
            "배포할 때마다 CDN 캐시를 Purge하는 방식은 전파에 시간이 걸리고 비용이 들 수 있다. 그래서 app.3f9a1c.js처럼 파일 내용의 해시를 파일명에 넣고 Cache-Control: max-age=31536000, immutable로 1년 동안 캐시하게 하는 방식이 권장된다. 내용이 바뀌면 파일명이 바뀌므로 HTML만 새로 받으면 즉시 새 버전이 적용된다.",
            "로그인한 사용자의 개인 정보가 담긴 페이지나 인증이 필요한 API 응답은 CDN에 캐시하면 안 된다. 다른 사용자에게 남의 데이터가 노출되는 심각한 사고로 이어질 수 있기 때문이다. 이런 응답에는 Cache-Control: private 또는 no-store를 지정하고, 쿠키나 Authorization 헤더가 있는 요청은 캐시하지 않도록 CDN 규칙을 설정해야 한다.",
            "CDN 캐시 키는 기본적으로 URL이지만 쿼리 스트링, 특정 헤더, 쿠키를 포함하도록 설정할 수 있다. 캐시 키에 불필요한 값이 들어가면 같은 콘텐츠가 여러 벌 캐시되어 적중률이 떨어진다. Vary 헤더도 마찬가지라 Vary: User-Agent처럼 값의 종류가 많은 헤더를 쓰면 사실상 캐시가 무력화될 수 있다.",
        ],
        "bullets": [
            "엣지 서버(PoP)에서 응답해 RTT를 줄인다",
            "원본 서버의 트래픽과 대역폭 비용을 줄인다",
            "DNS 기반 라우팅 또는 Anycast로 가까운 엣지를 선택한다",
            "Pull CDN은 요청 시 원본에서 가져오고 Push CDN은 미리 업로드한다",
            "s-maxage는 공유 캐시에만 적용된다",
            "no-cache는 재검증, no-store는 저장 금지",
            "해시가 포함된 파일명과 immutable로 캐시 무효화를 대신한다",
            "개인화된 응답은 private 또는 no-store로 CDN 캐시를 막는다",
        ],
        "table": {
            "header": ["구분", "Pull CDN", "Push CDN"],
            "rows": [
                ["콘텐츠 적재", "첫 요청 시 원본에서 가져옴", "운영자가 미리 업로드"],
                ["설정 난이도", "쉬움", "업로드 파이프라인 필요"],
                ["적합한 콘텐츠", "웹 정적 파일, 이미지", "대용량 동영상, 설치 파일"],
                ["단점", "첫 요청이 느림", "저장 공간과 관리 부담"],
            ],
        },
        "code": {
            "language": "nginx",
            "source": r"""# Origin 서버: CDN이 캐시할 수 있도록 Cache-Control 헤더 설정
server {
    listen 80;
    server_name static.studyboard.example.com;
    root /srv/studyboard/static;

    # 해시가 포함된 빌드 결과물은 1년 동안 캐시
    location ~* \.[0-9a-f]{8}\.(js|css|woff2)$ {
        add_header Cache-Control "public, max-age=31536000, immutable";
    }

    # HTML은 항상 재검증
    location / {
        add_header Cache-Control "no-cache";
        try_files $uri /index.html;
    }
}""",
        },
        "sources": [
            ("CDN - MDN Web Docs Glossary", "https://developer.mozilla.org/en-US/docs/Glossary/CDN"),
            ("Cache-Control - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Cache-Control"),
            ("What is a CDN? - Cloudflare", "https://www.cloudflare.com/learning/cdn/what-is-a-cdn/"),
        ],
    },
    {
        "slug": "jwt-session",
        "title": "JWT와 세션 인증",
        "questions": [
            "세션 기반 인증과 JWT 기반 인증의 차이와 장단점을 설명하시오",
            "JWT의 구조(Header, Payload, Signature)와 서명 검증 과정을 설명하시오",
            "Access Token과 Refresh Token을 나누는 이유는 무엇인가요?",
            "JWT를 localStorage와 HttpOnly 쿠키 중 어디에 저장하는 것이 안전할까?",
            "How do you revoke a JWT before it expires?",
            "Why is session-based authentication harder to scale horizontally, and how do you fix it?",
        ],
        "headings": [
            "세션 기반 인증",
            "JWT의 구조",
            "Access Token과 Refresh Token",
            "토큰 저장 위치와 보안",
        ],
        "paragraphs": [
            "세션 기반 인증은 로그인에 성공하면 서버가 세션을 생성해 저장소에 사용자 정보를 보관하고, 클라이언트에는 세션 ID만 쿠키로 전달하는 방식이다. 이후 요청마다 브라우저가 쿠키를 보내면 서버는 세션 저장소에서 사용자를 찾는다. 서버가 상태를 가지므로 강제 로그아웃이나 세션 만료를 즉시 처리할 수 있다는 장점이 있다.",
            "세션을 서버 메모리에 저장하면 서버를 여러 대로 늘렸을 때 다른 서버로 간 요청은 세션을 찾지 못한다. 로드밸런서의 sticky session으로 해결할 수도 있지만 부하 불균형이 생기므로, 보통 Redis 같은 중앙 세션 저장소를 두어 모든 서버가 세션을 공유하게 한다. 이 경우 요청마다 저장소 조회 비용이 추가된다.",
            "JWT(JSON Web Token)는 Header, Payload, Signature 세 부분을 Base64URL로 인코딩해 점(.)으로 이은 토큰이다. Header에는 서명 알고리즘, Payload에는 사용자 ID, 만료 시간(exp) 같은 claim이 들어가고, Signature는 앞의 두 부분을 비밀키로 서명한 값이다. 서버는 서명을 검증해 토큰이 변조되지 않았음을 확인하므로 별도 저장소 조회 없이 인증할 수 있다.",
            "JWT의 Payload는 암호화가 아니라 인코딩일 뿐이라 누구나 디코딩해 내용을 볼 수 있다. 따라서 비밀번호나 개인정보를 넣으면 안 된다. 또한 서버가 상태를 저장하지 않기 때문에 한 번 발급한 토큰은 만료 전까지 무효화하기 어렵다. 이를 보완하려면 블랙리스트를 저장소에 두거나 토큰 유효 기간을 짧게 가져가야 한다.",
            "Access Token은 유효 기간을 15분에서 1시간 정도로 짧게 두어 탈취되더라도 피해를 줄이고, Refresh Token은 2주 정도로 길게 두어 Access Token이 만료되면 새로 발급받는 데 사용한다. Refresh Token은 서버 저장소에 보관해 언제든 폐기할 수 있게 하고, 사용할 때마다 새 토큰으로 교체하는 Refresh Token Rotation을 적용하면 재사용 공격을 탐지할 수 있다.",
            "토큰을 localStorage에 저장하면 자바스크립트로 접근할 수 있어 XSS 공격에 취약하다. HttpOnly 쿠키에 저장하면 스크립트로 읽을 수 없어 XSS로 토큰을 훔치기 어렵지만, 브라우저가 자동으로 쿠키를 보내므로 CSRF 공격을 고려해야 한다. SameSite=Lax 또는 Strict 속성과 Secure 속성을 함께 설정하는 것이 일반적인 권장 사항이다.",
            "JWT 서명 알고리즘으로는 HS256 같은 대칭키 방식과 RS256, ES256 같은 비대칭키 방식이 있다. 비대칭키를 쓰면 인증 서버만 개인키로 서명하고 다른 서비스들은 공개키로 검증만 할 수 있어 마이크로서비스 환경에 적합하다. 검증할 때는 alg 값을 토큰에서 그대로 믿지 말고 서버에서 허용한 알고리즘만 사용해야 alg=none 같은 공격을 막을 수 있다.",
            "결국 둘 중 무엇이 더 좋다기보다 서비스 특성에 따라 선택한다. 단일 웹 서비스라면 세션과 HttpOnly 쿠키 조합이 단순하고 안전하며, 모바일 앱과 여러 API 서버가 있는 환경이라면 JWT가 편리하다. 면접에서는 Stateful과 Stateless의 트레이드오프, 그리고 토큰 무효화 문제를 어떻게 다룰지를 함께 설명하는 것이 좋다.",
        ],
        "bullets": [
            "세션: 서버가 상태를 저장, 클라이언트는 세션 ID만 보관",
            "JWT: 서명된 토큰에 정보를 담아 서버는 상태를 저장하지 않음",
            "JWT Payload는 Base64URL 인코딩일 뿐 암호화되지 않는다",
            "Access Token은 짧게, Refresh Token은 길게 유지한다",
            "Refresh Token Rotation으로 탈취된 토큰 재사용을 탐지한다",
            "HttpOnly, Secure, SameSite 쿠키 속성을 함께 설정한다",
            "RS256을 쓰면 검증 서버에 공개키만 배포하면 된다",
            "서버에서 허용한 alg만 받아들여 alg=none 공격을 막는다",
        ],
        "table": {
            "header": ["구분", "세션", "JWT"],
            "rows": [
                ["상태 저장", "서버 (세션 저장소)", "클라이언트 (토큰)"],
                ["확장성", "공유 세션 저장소 필요", "서버 확장이 쉬움"],
                ["즉시 무효화", "쉬움, 세션 삭제", "어려움, 블랙리스트나 짧은 만료 필요"],
                ["요청 크기", "세션 ID만 전송", "토큰 전체 전송"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""from datetime import datetime, timedelta, timezone

import jwt  # PyJWT

SECRET_KEY = "change-me"  # 실제로는 환경 변수나 Secret Manager에서 읽는다


def issue_access_token(user_id: int) -> str:
    now = datetime.now(timezone.utc)
    payload = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=15)}
    return jwt.encode(payload, SECRET_KEY, algorithm="HS256")


def verify(token: str) -> int:
    # algorithms를 명시해 alg=none 공격을 막는다
    claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    return int(claims["sub"])


print(verify(issue_access_token(42)))  # 42""",
        },
        "sources": [
            ("RFC 7519 - JSON Web Token (JWT)", "https://www.rfc-editor.org/rfc/rfc7519"),
            ("Introduction to JSON Web Tokens - jwt.io", "https://jwt.io/introduction"),
            ("Session Management Cheat Sheet - OWASP", "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html"),
        ],
    },
    {
        "slug": "cors",
        "title": "CORS",
        "questions": [
            "CORS가 무엇이고 왜 필요한지 Same-Origin Policy와 함께 설명하시오",
            "Preflight 요청(OPTIONS)은 언제 발생하고 어떤 헤더를 주고받나요?",
            "credentials: 'include'를 사용할 때 Access-Control-Allow-Origin에 *를 쓸 수 없는 이유는?",
            "CORS 에러는 왜 서버가 아니라 브라우저에서 발생하는 걸까?",
            "What counts as the same origin, and why does the browser enforce the same-origin policy?",
            "How would you fix a CORS error between a React dev server and a Django API?",
        ],
        "headings": [
            "Same-Origin Policy",
            "CORS 동작 방식",
            "Preflight 요청",
            "자주 만나는 CORS 에러와 해결",
        ],
        "paragraphs": [
            "Same-Origin Policy(동일 출처 정책)는 한 출처에서 로드된 문서나 스크립트가 다른 출처의 리소스와 상호작용하는 것을 제한하는 브라우저의 보안 정책이다. 출처(Origin)는 프로토콜, 호스트, 포트의 조합으로, https://a.com과 http://a.com, https://a.com:8443은 모두 다른 출처다. 악성 사이트의 스크립트가 사용자의 쿠키로 다른 사이트의 데이터를 읽어가는 것을 막기 위한 장치다.",
            "CORS(Cross-Origin Resource Sharing)는 서버가 HTTP 헤더로 '이 출처에서의 접근은 허용한다'고 명시해 Same-Origin Policy의 예외를 만드는 표준 메커니즘이다. 브라우저는 요청에 Origin 헤더를 붙여 보내고, 응답의 Access-Control-Allow-Origin 값이 요청한 출처와 일치하면 스크립트가 응답을 읽을 수 있게 한다.",
            "중요한 점은 CORS 검사를 브라우저가 한다는 것이다. 서버는 요청을 정상적으로 처리하고 응답까지 보냈지만, 브라우저가 허용 헤더가 없다는 이유로 자바스크립트에 응답을 넘겨주지 않는 것이다. 그래서 curl이나 Postman, 서버 간 통신에서는 CORS 에러가 발생하지 않으며, CORS는 서버를 보호하는 장치가 아니라 사용자를 보호하는 장치라고 볼 수 있다.",
            "Simple Request 조건(GET, HEAD, POST 중 하나이고 Content-Type이 text/plain, multipart/form-data, application/x-www-form-urlencoded 중 하나이며 커스텀 헤더가 없는 경우)을 벗어나면 브라우저는 본 요청 전에 OPTIONS 메서드로 Preflight 요청을 보낸다. 이때 Access-Control-Request-Method와 Access-Control-Request-Headers로 사용할 메서드와 헤더를 미리 묻는다.",
            "서버는 Preflight에 Access-Control-Allow-Methods, Access-Control-Allow-Headers, Access-Control-Max-Age 헤더로 응답한다. Max-Age를 설정하면 브라우저가 Preflight 결과를 일정 시간 캐시해 매 요청마다 OPTIONS를 보내지 않아도 된다. JSON API는 Content-Type이 application/json이라 대부분 Preflight가 발생하므로 이 값을 설정하면 지연을 줄일 수 있다.",
            "쿠키나 Authorization 헤더 같은 자격 증명을 함께 보내려면 클라이언트는 fetch에 credentials: 'include'를 설정하고, 서버는 Access-Control-Allow-Credentials: true를 응답해야 한다. 이 경우 Access-Control-Allow-Origin에 와일드카드(*)를 쓸 수 없고 정확한 출처를 명시해야 한다. 아무 사이트나 사용자의 쿠키를 이용해 응답을 읽는 것을 막기 위한 제약이다.",
            "개발 중 React 개발 서버(localhost:3000)에서 Django API(localhost:8000)를 호출하면 포트가 달라 CORS 에러가 난다. 해결 방법은 Django에 django-cors-headers를 설치해 CORS_ALLOWED_ORIGINS에 개발 서버 출처를 등록하거나, 프론트엔드 개발 서버의 proxy 설정으로 같은 출처처럼 요청을 우회시키는 것이다. 운영 환경에서는 nginx로 같은 도메인 아래 경로를 나누는 방법도 많이 쓴다.",
            "요청한 Origin 헤더 값을 그대로 Access-Control-Allow-Origin에 반사(reflect)하고 credentials까지 허용하는 설정은 사실상 CORS를 끈 것과 같아 위험하다. 허용할 출처는 화이트리스트로 관리하고, 출처별로 응답이 달라진다면 Vary: Origin 헤더를 추가해 캐시가 다른 출처의 응답을 잘못 재사용하지 않게 해야 한다.",
        ],
        "bullets": [
            "Origin은 프로토콜, 호스트, 포트의 조합이다",
            "CORS 검사는 서버가 아니라 브라우저가 수행한다",
            "Simple Request가 아니면 OPTIONS Preflight가 먼저 전송된다",
            "application/json 요청은 대부분 Preflight를 유발한다",
            "Access-Control-Max-Age로 Preflight 결과를 캐시한다",
            "credentials를 사용할 때는 Allow-Origin에 와일드카드를 쓸 수 없다",
            "허용 출처는 화이트리스트로 관리하고 Vary: Origin을 추가한다",
            "개발 환경에서는 프록시 설정으로 CORS를 피할 수 있다",
        ],
        "table": {
            "header": ["구분", "요청 헤더", "응답 헤더"],
            "rows": [
                ["출처 확인", "Origin", "Access-Control-Allow-Origin"],
                ["Preflight 메서드", "Access-Control-Request-Method", "Access-Control-Allow-Methods"],
                ["Preflight 헤더", "Access-Control-Request-Headers", "Access-Control-Allow-Headers"],
                ["자격 증명", "Cookie, Authorization", "Access-Control-Allow-Credentials"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""# settings.py (django-cors-headers)
INSTALLED_APPS = [
    # ...
    "corsheaders",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",  # CommonMiddleware보다 위에 둔다
    "django.middleware.common.CommonMiddleware",
    # ...
]

CORS_ALLOWED_ORIGINS = [
    "http://localhost:3000",
    "https://studyboard.example.com",
]
CORS_ALLOW_CREDENTIALS = True
CORS_PREFLIGHT_MAX_AGE = 86400  # Preflight 결과를 하루 동안 캐시""",
        },
        "sources": [
            ("Cross-Origin Resource Sharing (CORS) - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS"),
            ("Same-origin policy - MDN Web Docs", "https://developer.mozilla.org/en-US/docs/Web/Security/Same-origin_policy"),
            ("Fetch Standard - CORS protocol", "https://fetch.spec.whatwg.org/#http-cors-protocol"),
        ],
    },
    {
        "slug": "oauth2",
        "title": "OAuth 2.0",
        "questions": [
            "OAuth 2.0의 Authorization Code Grant 흐름을 단계별로 설명하시오",
            "OAuth 2.0에서 Resource Owner, Client, Authorization Server, Resource Server의 역할은?",
            "PKCE는 어떤 공격을 막기 위해 도입되었나요?",
            "OAuth 2.0과 OpenID Connect(OIDC)의 차이는 무엇인가?",
            "Why is the Implicit grant no longer recommended for single-page applications?",
            "What is the purpose of the state parameter in the OAuth 2.0 authorization request?",
        ],
        "headings": [
            "OAuth 2.0의 등장 배경과 역할",
            "Authorization Code Grant 흐름",
            "PKCE와 state",
            "OAuth 2.0과 OpenID Connect",
        ],
        "paragraphs": [
            "OAuth 2.0은 사용자가 자신의 비밀번호를 제3자 애플리케이션에 알려주지 않고도, 그 애플리케이션이 다른 서비스의 자원에 제한적으로 접근할 수 있도록 권한을 위임하는 표준 프레임워크다. 'Google로 로그인'이나 'GitHub 계정으로 연동' 같은 기능이 대표적이다. 핵심은 인증(Authentication)이 아니라 인가(Authorization)를 위한 프로토콜이라는 점이다.",
            "OAuth 2.0에는 네 가지 역할이 있다. Resource Owner는 자원의 주인인 사용자, Client는 자원에 접근하려는 애플리케이션, Authorization Server는 사용자를 인증하고 Access Token을 발급하는 서버, Resource Server는 토큰을 확인하고 실제 자원(API)을 제공하는 서버다. 구글 로그인이라면 구글의 인증 서버와 API 서버가 각각 Authorization Server와 Resource Server다.",
            "Authorization Code Grant에서 Client는 사용자를 Authorization Server의 로그인 페이지로 리다이렉트하면서 client_id, redirect_uri, scope, state를 전달한다. 사용자가 로그인하고 권한에 동의하면 Authorization Server는 redirect_uri로 짧은 수명의 Authorization Code를 돌려준다. Client의 백엔드는 이 코드와 client_secret을 Token 엔드포인트로 보내 Access Token을 받는다.",
            "코드를 한 번 더 교환하는 이유는 Access Token이 브라우저 주소창이나 히스토리에 노출되지 않도록 하기 위해서다. 토큰 교환은 서버 간 백채널 통신으로 이루어지고 client_secret으로 Client 자신도 인증한다. 과거 SPA용으로 쓰이던 Implicit Grant는 토큰을 URL fragment로 바로 전달해 유출 위험이 커서 OAuth 2.0 Security BCP에서 더 이상 권장하지 않는다.",
            "PKCE(Proof Key for Code Exchange)는 Authorization Code가 중간에 가로채였을 때 공격자가 그 코드로 토큰을 받는 것을 막기 위한 확장이다. Client는 무작위 code_verifier를 만들고 그 SHA-256 해시인 code_challenge를 인가 요청에 보낸다. 토큰 교환 시에는 원본 code_verifier를 보내야 하므로 코드만 훔친 공격자는 토큰을 받을 수 없다. 현재는 모든 Client에 PKCE 사용이 권장된다.",
            "state 파라미터는 CSRF 공격을 막기 위해 사용한다. Client는 인가 요청 전에 예측할 수 없는 state 값을 만들어 세션에 저장하고, 콜백으로 돌아온 state와 비교한다. 값이 다르면 공격자가 자신의 Authorization Code를 피해자의 브라우저에 주입해 피해자 계정을 공격자 계정에 연결하려는 시도일 수 있으므로 요청을 거부한다.",
            "scope는 Client가 요청하는 권한의 범위를 나타내며, 사용자는 동의 화면에서 어떤 권한을 주는지 확인한다. 최소 권한 원칙에 따라 꼭 필요한 scope만 요청해야 하고, Resource Server는 토큰에 담긴 scope를 확인해 허용된 API만 제공해야 한다. Access Token이 만료되면 Refresh Token으로 새 토큰을 발급받는다.",
            "OpenID Connect(OIDC)는 OAuth 2.0 위에 인증 계층을 추가한 표준이다. scope에 openid를 포함하면 Access Token과 함께 사용자의 신원 정보를 담은 ID Token(JWT)을 받는다. OAuth 2.0만으로는 '이 토큰이 누구의 것인지'를 표준화된 방식으로 알 수 없기 때문에, 소셜 로그인을 구현할 때는 실제로 OIDC를 사용하는 경우가 많다.",
        ],
        "bullets": [
            "OAuth 2.0은 인증이 아닌 권한 위임(인가) 프로토콜이다",
            "역할: Resource Owner, Client, Authorization Server, Resource Server",
            "Authorization Code는 짧은 수명을 가지며 한 번만 사용할 수 있다",
            "토큰 교환은 백채널에서 client_secret과 함께 이루어진다",
            "PKCE는 Authorization Code 탈취 공격을 막는다",
            "state 파라미터로 CSRF를 방지한다",
            "Implicit Grant와 Password Grant는 더 이상 권장되지 않는다",
            "OIDC는 ID Token으로 사용자 신원을 표준화한다",
        ],
        "table": {
            "header": ["구분", "OAuth 2.0", "OpenID Connect"],
            "rows": [
                ["목적", "인가 (권한 위임)", "인증 (신원 확인)"],
                ["발급 토큰", "Access Token, Refresh Token", "ID Token 추가"],
                ["토큰 형식", "규정하지 않음", "ID Token은 JWT"],
                ["사용자 정보", "API별로 다름", "UserInfo 엔드포인트로 표준화"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""import base64
import hashlib
import secrets
from urllib.parse import urlencode

code_verifier = secrets.token_urlsafe(64)
digest = hashlib.sha256(code_verifier.encode()).digest()
code_challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
state = secrets.token_urlsafe(16)  # 세션에 저장해 콜백에서 비교

params = {
    "response_type": "code",
    "client_id": "studyboard-web",
    "redirect_uri": "https://studyboard.example.com/oauth/callback",
    "scope": "openid profile email",
    "state": state,
    "code_challenge": code_challenge,
    "code_challenge_method": "S256",
}
print("https://accounts.example.com/authorize?" + urlencode(params))""",
        },
        "sources": [
            ("RFC 6749 - The OAuth 2.0 Authorization Framework", "https://www.rfc-editor.org/rfc/rfc6749"),
            ("RFC 7636 - Proof Key for Code Exchange by OAuth Public Clients", "https://www.rfc-editor.org/rfc/rfc7636"),
            ("OpenID Connect Core 1.0", "https://openid.net/specs/openid-connect-core-1_0.html"),
        ],
    },
    {
        "slug": "message-queue",
        "title": "메시지 큐",
        "questions": [
            "메시지 큐를 사용하는 이유와 동기 호출 방식 대비 장점을 설명하시오",
            "Kafka와 RabbitMQ의 구조적 차이는 무엇인가?",
            "at-most-once, at-least-once, exactly-once 전달 보장의 차이를 설명하시오",
            "Kafka에서 파티션과 컨슈머 그룹은 어떻게 메시지 순서와 처리량에 영향을 주나요?",
            "How do you make a consumer idempotent when the queue only guarantees at-least-once delivery?",
            "What is a dead letter queue, and when should messages be sent there?",
        ],
        "headings": [
            "메시지 큐를 쓰는 이유",
            "Kafka vs RabbitMQ",
            "전달 보장과 멱등성",
            "순서 보장과 Dead Letter Queue",
        ],
        "paragraphs": [
            "메시지 큐(Message Queue)는 생산자(Producer)가 보낸 메시지를 큐에 저장해 두었다가 소비자(Consumer)가 가져가 처리하게 하는 비동기 통신 방식이다. 회원가입 후 환영 메일 발송처럼 즉시 끝날 필요가 없는 작업을 큐로 넘기면 API 응답 시간이 짧아지고, 메일 서버가 잠시 죽어도 메시지가 큐에 남아 있어 나중에 처리할 수 있다.",
            "메시지 큐는 서비스 간 결합도를 낮춘다. 생산자는 누가 메시지를 처리하는지 알 필요가 없고, 소비자를 늘리기만 하면 처리량을 확장할 수 있다. 또한 트래픽이 순간적으로 몰릴 때 큐가 버퍼 역할을 해 뒤쪽 시스템이 감당할 수 있는 속도로 처리하게 해주는데, 이를 부하 평탄화(load leveling)라고 한다.",
            "RabbitMQ는 AMQP 기반의 전통적인 메시지 브로커로, Producer가 Exchange에 메시지를 보내면 라우팅 규칙(direct, topic, fanout)에 따라 Queue로 전달된다. Consumer가 메시지를 처리하고 ack를 보내면 큐에서 삭제된다. 복잡한 라우팅, 메시지별 우선순위, 지연 큐 같은 기능이 필요한 작업 큐(task queue)에 잘 맞는다.",
            "Kafka는 분산 로그(commit log) 기반의 이벤트 스트리밍 플랫폼이다. 메시지는 토픽의 파티션에 순서대로 추가되어 소비 후에도 보존 기간 동안 디스크에 남고, Consumer는 자신이 어디까지 읽었는지 offset으로 관리한다. 그래서 여러 Consumer 그룹이 같은 데이터를 각자 읽거나 과거 시점부터 다시 읽는 replay가 가능하며, 매우 높은 처리량을 낼 수 있다.",
            "Kafka는 파티션 안에서만 순서를 보장한다. 같은 사용자의 이벤트 순서가 중요하다면 user_id를 메시지 키로 지정해 항상 같은 파티션에 들어가게 해야 한다. 하나의 파티션은 컨슈머 그룹 안에서 한 Consumer에게만 할당되므로, 파티션 수가 곧 그룹의 최대 병렬 처리 수다. Consumer를 파티션 수보다 많이 띄우면 남는 Consumer는 아무 일도 하지 않는다.",
            "전달 보장 수준에는 세 가지가 있다. at-most-once는 유실될 수 있지만 중복은 없고, at-least-once는 유실은 없지만 중복될 수 있으며, exactly-once는 정확히 한 번 처리된다. 대부분의 시스템은 at-least-once를 기본으로 하는데, Consumer가 처리 후 ack나 offset 커밋 전에 죽으면 같은 메시지를 다시 받기 때문이다.",
            "at-least-once 환경에서는 Consumer를 멱등하게 만들어야 한다. 메시지마다 고유한 ID를 두고 처리한 ID를 DB에 기록해 이미 처리된 메시지는 건너뛰거나, DB의 UNIQUE 제약이나 UPSERT를 이용해 같은 작업이 두 번 반영되지 않게 한다. Kafka는 idempotent producer와 트랜잭션으로 exactly-once semantics를 제공하지만, 외부 시스템까지 포함한 end-to-end 보장은 여전히 애플리케이션의 몫이다.",
            "처리에 계속 실패하는 메시지를 무한히 재시도하면 뒤의 메시지까지 막히는 poison message 문제가 생긴다. 그래서 일정 횟수 이상 실패한 메시지는 Dead Letter Queue(DLQ)라는 별도의 큐로 옮기고, 알림을 보내 사람이 원인을 확인한 뒤 재처리한다. 재시도 사이에는 exponential backoff를 두어 장애 중인 외부 시스템에 부담을 주지 않게 한다.",
        ],
        "bullets": [
            "비동기 처리로 API 응답 시간을 줄인다",
            "생산자와 소비자의 결합도를 낮춘다",
            "트래픽 급증 시 버퍼 역할을 한다 (load leveling)",
            "RabbitMQ: Exchange와 Queue, ack 후 메시지 삭제",
            "Kafka: 토픽과 파티션, offset 기반 소비, 메시지 보존",
            "Kafka의 순서 보장 단위는 파티션이다",
            "at-least-once 환경에서는 Consumer를 멱등하게 구현한다",
            "반복 실패 메시지는 DLQ로 보내고 exponential backoff로 재시도한다",
        ],
        "table": {
            "header": ["구분", "RabbitMQ", "Kafka"],
            "rows": [
                ["모델", "메시지 브로커 (push)", "분산 로그 (pull)"],
                ["메시지 보존", "ack 후 삭제", "보존 기간 동안 유지"],
                ["순서 보장", "큐 단위", "파티션 단위"],
                ["강점", "유연한 라우팅, 작업 큐", "높은 처리량, 이벤트 재처리"],
                ["대표 용도", "메일 발송, 이미지 변환 작업", "로그 수집, 이벤트 스트리밍"],
            ],
        },
        "code": {
            "language": "python",
            "source": r"""from confluent_kafka import Consumer

consumer = Consumer({
    "bootstrap.servers": "localhost:9092",
    "group.id": "answer-notifier",
    "enable.auto.commit": False,  # 처리 후 직접 커밋 (at-least-once)
})
consumer.subscribe(["qa.answer-created"])
try:
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        event_id = msg.key().decode()
        if not already_processed(event_id):  # 멱등성 체크
            send_notification(msg.value())
            mark_processed(event_id)
        consumer.commit(message=msg)
finally:
    consumer.close()""",
        },
        "sources": [
            ("Apache Kafka Documentation", "https://kafka.apache.org/documentation/"),
            ("RabbitMQ Tutorials", "https://www.rabbitmq.com/tutorials"),
            ("Message queue - Wikipedia", "https://en.wikipedia.org/wiki/Message_queue"),
        ],
    },
]
