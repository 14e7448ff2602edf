
5s1.0"t*
b*
iýÿÿÿÿÿÿÿÿ*	
by"q*
u*	https://x*	
r2/x*1
datacontenttypeapplication/cloudevents+json:7